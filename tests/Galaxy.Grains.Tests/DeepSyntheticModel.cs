using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;

namespace Galaxy.Grains.Tests;

/// <summary>
/// A seeded BERT with many thin layers ("deep": 48 layers, hidden 128, 4 heads, MLP 512), so one request runs long
/// enough to kill a device in the middle of it. Written once into the tests' models directory, with MiniLM's vocabulary.
/// </summary>
internal static class DeepSyntheticModel
{
    public const string Id = "deep";

    public static readonly ModelConfig Config = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 128, Heads = 4, Layers = 48, IntermediateSize = 512,
        VocabularySize = 30522, MaxPositions = 512, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    /// <summary>The model's directory, written on first use (config.json last, so a half-written model is never served).</summary>
    public static string Prepare(string miniLmDirectory) =>
        SyntheticModelFiles.WriteOnce(Path.Combine(ClusterFixture.ModelsDirectory, Id), Config, seed: 48, vocabularyFrom: miniLmDirectory);

    /// <summary>S seeded token ids inside the vocabulary (no special tokens needed: the model is synthetic).</summary>
    public static int[] TokenIds(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(1000, 30000))];
    }
}
