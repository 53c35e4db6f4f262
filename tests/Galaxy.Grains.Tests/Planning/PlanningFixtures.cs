using Galaxy.Grains.Planning;
using Galaxy.Kernels.Model;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>Small models and devices with round numbers, so expected costs can be worked out by hand.</summary>
internal static class PlanningFixtures
{
    /// <summary>H 64, 4 heads of 16, F 256, 2 layers: small enough to cost by hand.</summary>
    public static readonly ModelConfig Toy = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 64, Heads = 4, Layers = 2, IntermediateSize = 256,
        VocabularySize = 100, MaxPositions = 64, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    /// <summary>MiniLM's shape: H 384, 12 heads, F 1536, 6 layers.</summary>
    public static readonly ModelConfig MiniLm = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 384, Heads = 12, Layers = 6, IntermediateSize = 1536,
        VocabularySize = 30522, MaxPositions = 512, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    /// <summary>A device doing every block at <paramref name="gflops"/> GFLOP/s and 10⁶ connective rows/s (scaled with the GEMMs).</summary>
    public static DeviceSpec Device(string name, double gflops, long memory = long.MaxValue, LinkSpec? uplink = null) =>
        new(name, GemmRates.All(gflops * 1e9), [new AttentionRate(128, gflops * 1e9)], gflops * 1e6, memory) { Uplink = uplink };

    /// <summary>A link of <paramref name="mbit"/> Mbit/s and <paramref name="milliseconds"/> ms.</summary>
    public static LinkSpec Link(double mbit, double milliseconds) => new(mbit * 1e6 / 8, milliseconds / 1000);

    /// <summary>No runtime overhead and no messaging CPU, so memory limits are about weights and activations only and a message costs only its link time.</summary>
    public static readonly PlannerOptions Bare = new() { RuntimeOverheadBytes = 0, MessageCpuSeconds = 0, MessageCpuSecondsPerByte = 0 };
}
