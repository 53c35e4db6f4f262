using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Models;

/// <summary>
/// all-MiniLM-L6-v2 loaded for the end-to-end benchmark: Galaxy's converted model directory and the original
/// ONNX file that ONNX Runtime runs, with the seeded token ids both sides read.
/// </summary>
/// <remarks>
/// Tokenization is not measured on either side: both start from the same token ids and end at the last
/// hidden state. The ids are drawn from a fixed seed, so every run and machine measures the same input.
/// </remarks>
public sealed class MiniLmWorkload
{
    private const int Seed = 20_240_601;

    private readonly int _classToken;
    private readonly int _separatorToken;

    private MiniLmWorkload(MiniLmModelFiles files, LocalModel model)
    {
        Files = files;
        Model = model;

        // The tokenizer wraps even empty text in [CLS] … [SEP], which gives both ids from the model's own vocabulary.
        var specials = model.Tokenizer.Encode(string.Empty);
        if (specials.Length != 2)
        {
            throw new InvalidDataException($"Expected the tokenizer to encode empty text as [CLS] [SEP], got {specials.Length} ids.");
        }

        _classToken = specials[0];
        _separatorToken = specials[1];
    }

    /// <summary>The model's name in tables and JSON.</summary>
    public static string Name => MiniLmModel.ModelName;

    public MiniLmModelFiles Files { get; }

    public LocalModel Model { get; }

    /// <summary>Prepares the cached files (<see cref="MiniLmCache"/>) and loads Galaxy's model.</summary>
    public static MiniLmWorkload Load()
    {
        var files = MiniLmCache.Prepare();
        return new MiniLmWorkload(files, LocalModel.Load(files.ModelDirectory));
    }

    /// <summary>[CLS], <paramref name="sequence"/> − 2 ids uniform over the vocabulary from a fixed seed, [SEP].</summary>
    public int[] TokenIds(int sequence)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, Model.Config.MaxPositions);
        return SeededValues.TokenIds(new Random(Seed + sequence), sequence, Model.Config.VocabularySize, _classToken, _separatorToken);
    }

    /// <summary>Galaxy's encoder on the case's ids.</summary>
    /// <param name="modelCase">Sequence length and threads.</param>
    /// <param name="pool">A pool of <see cref="ModelCase.Threads"/> threads; not owned.</param>
    public GalaxyEncoderRunner CreateGalaxy(ModelCase modelCase, KernelThreads pool) =>
        new(Model.Weights, TokenIds(modelCase.Sequence), pool);

    /// <summary>ONNX Runtime on the original ONNX file at <see cref="ModelCase.Threads"/> intra-op threads.</summary>
    public OrtEncoderRunner CreateAnchor(ModelCase modelCase) =>
        new(Files.OnnxPath, TokenIds(modelCase.Sequence), modelCase.Threads);
}
