using Galaxy.Grains.Profiling;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Grains.Tests;

/// <summary>The profile measurement: the model's own shapes, finite positive speeds, shapes shared by models timed once.</summary>
public sealed class DeviceProfilerTests : IDisposable
{
    private static readonly ModelConfig Small = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 64, Heads = 4, Layers = 2, IntermediateSize = 256,
        VocabularySize = 100, MaxPositions = 200, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    private readonly KernelThreads _threads = new(1);

    [Fact]
    public void Measure_SmallModel_FourGemmsAtItsShapesAndAttentionAtLengthsItAllows()
    {
        var models = DeviceProfiler.Measure([("small", Small)], _threads, TimeSpan.FromMilliseconds(50), rows: 16);

        var model = Assert.Single(models);
        Assert.Equal(("small", 2), (model.ModelId, model.Layers));
        Assert.Equal(
            [(GemmBlocks.QueryKeyValue, 16, 64, 192), (GemmBlocks.Output, 16, 64, 64), (GemmBlocks.MlpUp, 16, 64, 256), (GemmBlocks.MlpDown, 16, 256, 64)],
            model.Gemms.Select(g => (g.Block, g.Rows, g.Depth, g.Columns)));
        Assert.Equal([32, 128], model.Attention.Select(a => a.SequenceLength));
        Assert.All(model.Attention, a => Assert.Equal((4, 16), (a.Heads, a.HeadDim)));
        Assert.All(model.Gemms, g => Assert.True(double.IsFinite(g.FlopsPerSecond) && g.FlopsPerSecond > 0, $"{g.Block}: {g.FlopsPerSecond}"));
        Assert.All(model.Attention, a => Assert.True(double.IsFinite(a.FlopsPerSecond) && a.FlopsPerSecond > 0, $"S={a.SequenceLength}: {a.FlopsPerSecond}"));
    }

    [Fact]
    public void Measure_TwoModelsSharingShapes_SameSpeedForTheSharedShape()
    {
        var deeper = Small with { Layers = 12 };

        var models = DeviceProfiler.Measure([("a", Small), ("b", deeper)], _threads, TimeSpan.FromMilliseconds(20), rows: 8);

        Assert.Equal(models[0].Gemms.Select(g => g.FlopsPerSecond), models[1].Gemms.Select(g => g.FlopsPerSecond));
        Assert.Equal(12, models[1].Layers);
    }

    [Fact]
    public void AttentionLengths_ShortPositions_CappedAtTheModelsLength()
    {
        Assert.Equal([32, 128, 512], DeviceProfiler.AttentionLengths(Small with { MaxPositions = 512 }));
        Assert.Equal([16], DeviceProfiler.AttentionLengths(Small with { MaxPositions = 16 }));
    }

    [Fact]
    public void Measure_NoModels_Empty()
    {
        Assert.Empty(DeviceProfiler.Measure([], _threads, TimeSpan.FromSeconds(1), 128));
    }

    [Fact]
    public void Measure_BadRows_ClearError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceProfiler.Measure([("small", Small)], _threads, TimeSpan.FromMilliseconds(1), 0));
    }

    public void Dispose() => _threads.Dispose();
}
