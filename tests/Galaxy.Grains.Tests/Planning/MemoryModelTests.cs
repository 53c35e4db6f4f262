using Galaxy.Grains.Planning;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>The memory model's weight bytes against the slices the kernels really load from seeded checkpoints.</summary>
public sealed class MemoryModelTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"galaxy-memory-{Guid.NewGuid():N}");

    public static TheoryData<string> Architectures => ["bert", "distilbert", "gpt2", "opt"];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void WeightBytes_EqualsTheLoadedSlicesByteCount(string architecture)
    {
        var config = Config(architecture);
        var directory = Path.Combine(_directory, architecture);
        SyntheticCheckpoint.Write(config, directory, seed: 11);
        using var source = SafeTensorsDirectory.Open(directory);

        // Whole, an uneven slice, heads only, columns only; tolerance 0: the formula counts what ByteCount counts.
        foreach (var slice in new[] { LayerSlice.Whole(config), new LayerSlice(1, 3, 16, 72), new LayerSlice(0, 4, 0, 0), new LayerSlice(0, 0, 0, 96) })
        {
            var weights = TransformerWeights.Load(config, source, _ => slice);

            var predicted = MemoryModel.WeightBytes(config, slice.HeadCount, slice.ColumnCount, new PlannerOptions());

            Assert.Equal(weights.ByteCount, predicted);
        }
    }

    [Fact]
    public void Estimate_DecoderKeepsKeysAndValuesOfItsHeads()
    {
        var config = Config("gpt2");
        var share = new DeviceShare(2, 32, 10);

        var estimate = MemoryModel.Estimate(config, ParallelMode.Hybrid, share, 40, new PlannerOptions { RuntimeOverheadBytes = 1000 });

        // 2 · layers · S · (2 heads · 8) floats.
        Assert.Equal(2L * config.Layers * 40 * 16 * 4, estimate.KeyValueCache);
        Assert.Equal(1000, estimate.Runtime);
        Assert.Equal(estimate.Weights + estimate.Activations + estimate.KeyValueCache + 1000, estimate.Total);
        Assert.Equal(0, MemoryModel.Estimate(Config("bert"), ParallelMode.Hybrid, share, 40, new PlannerOptions()).KeyValueCache);
    }

    [Fact]
    public void Estimate_SequenceParallelismHoldsTheWholeModel()
    {
        var config = Config("bert");

        var estimate = MemoryModel.Estimate(config, ParallelMode.Sequence, new DeviceShare(config.Heads, config.IntermediateSize, 5), 20, new PlannerOptions());

        Assert.Equal(MemoryModel.ModelBytes(config, new PlannerOptions()), estimate.Weights);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static ModelConfig Config(string architecture) => architecture switch
    {
        "bert" => new ModelConfig
        {
            Architecture = ModelArchitecture.Bert, HiddenSize = 32, Heads = 4, Layers = 2, IntermediateSize = 128,
            VocabularySize = 50, MaxPositions = 40, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
        },
        "distilbert" => new ModelConfig
        {
            Architecture = ModelArchitecture.DistilBert, HiddenSize = 32, Heads = 4, Layers = 2, IntermediateSize = 128,
            VocabularySize = 50, MaxPositions = 40, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
        },
        "gpt2" => new ModelConfig
        {
            Architecture = ModelArchitecture.Gpt2, HiddenSize = 32, Heads = 4, Layers = 2, IntermediateSize = 128,
            VocabularySize = 50, MaxPositions = 40, LayerNormEpsilon = 1e-5f, Activation = Activation.GeluTanh,
        },
        _ => new ModelConfig
        {
            Architecture = ModelArchitecture.Opt, HiddenSize = 32, Heads = 4, Layers = 2, IntermediateSize = 128,
            VocabularySize = 50, MaxPositions = 40, LayerNormEpsilon = 1e-5f, Activation = Activation.Relu,
        },
    };
}
