using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.SystemTests.Processes;

/// <summary>
/// The models directory every test silo serves from (MiniLM prepared in it once, before any silo starts, so no
/// request pays for the conversion and no two processes convert at once), and the single-device oracle on the same files.
/// </summary>
internal static class SystemModels
{
    private static readonly Lazy<string> Prepared = new(() => MiniLmModel.Prepare(Path.Combine(ModelsDirectory, "minilm")).ModelDirectory);
    private static readonly Lazy<LocalModel> Model = new(() => LocalModel.Load(MiniLmDirectory));
    private static readonly Lock ForwardLock = new();

    /// <summary>The silos' <c>--models</c> directory.</summary>
    public static string ModelsDirectory => Path.Combine(AppContext.BaseDirectory, "system-models");

    /// <summary>The converted MiniLM model directory (prepared on first use).</summary>
    public static string MiniLmDirectory => Prepared.Value;

    /// <summary>MiniLM's token ids for <paramref name="text"/>.</summary>
    public static int[] Tokenize(string text) => Model.Value.Tokenizer.Encode(text, Model.Value.Config.MaxPositions);

    /// <summary>The single-device last hidden state (S, H).</summary>
    public static float[] Hidden(int[] ids)
    {
        lock (ForwardLock)
        {
            using var threads = new KernelThreads(1);
            return new Encoder(Model.Value.Weights, threads).Forward(ids, default, default);
        }
    }

    /// <summary>The single-device sentence embedding (mean-pooled, L2-normalised).</summary>
    public static float[] Embed(string text) => Encoder.MeanPool(Hidden(Tokenize(text)), default, 1, Model.Value.Config.HiddenSize);
}
