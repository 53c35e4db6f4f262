using Galaxy.Kernels.Model;
using Microsoft.Extensions.Options;

namespace Galaxy.Grains.Tests;

/// <summary>The device's catalog: which models it serves, and a bounded number of slices per model.</summary>
public sealed class ModelCatalogTests : IDisposable
{
    private static readonly ModelConfig Tiny = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 16, Heads = 4, Layers = 1, IntermediateSize = 32,
        VocabularySize = 7, MaxPositions = 64, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"galaxy-catalog-{Guid.NewGuid():N}");
    private readonly ModelCatalog _catalog;

    public ModelCatalogTests()
    {
        var tiny = Path.Combine(_directory, "tiny");
        SyntheticCheckpoint.Write(Tiny, tiny, seed: 3);
        File.WriteAllLines(Path.Combine(tiny, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world"]);
        Directory.CreateDirectory(Path.Combine(_directory, "not-a-model"));
        _catalog = new ModelCatalog(Options.Create(new GalaxyDeviceOptions { Device = "d", ModelsDirectory = _directory, SlicesPerModel = 2 }));
    }

    [Fact]
    public void ServedModelIds_PackageAndDirectoriesWithAConfig()
    {
        Assert.Equal([ModelCatalog.MiniLmId, "tiny"], _catalog.ServedModelIds());
    }

    [Fact]
    public void Slice_MoreThanTheLimit_LeastRecentlyUsedForgotten()
    {
        var a = new LayerSlice(0, 1, 0, 8);
        var b = new LayerSlice(1, 2, 8, 16);
        var c = new LayerSlice(2, 4, 16, 32);

        _catalog.Slice("tiny", a);
        _catalog.Slice("tiny", b);
        _catalog.Slice("tiny", a);
        _catalog.Slice("tiny", c);

        Assert.Equal([(0, 1), (2, 4)], _catalog.LoadedSlices().Select(s => (s.HeadStart, s.HeadEnd)));
        Assert.All(_catalog.LoadedSlices(), s => Assert.True(s.Bytes > 0));
    }

    [Fact]
    public void Slice_SameSliceTwice_SameWeights()
    {
        var slice = new LayerSlice(0, 2, 0, 16);

        Assert.Same(_catalog.Slice("tiny", slice), _catalog.Slice("tiny", slice));
        Assert.Equal(new LoadedSlice("tiny", 0, 2, 0, 16, _catalog.Slice("tiny", slice).ByteCount), Assert.Single(_catalog.LoadedSlices()));
    }

    public void Dispose()
    {
        _catalog.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
