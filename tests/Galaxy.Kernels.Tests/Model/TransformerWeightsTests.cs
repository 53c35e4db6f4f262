using Galaxy.Kernels.Model;

namespace Galaxy.Kernels.Tests.Model;

public sealed class TransformerWeightsTests
{
    [Theory]
    [InlineData(ModelArchitecture.Bert)]
    [InlineData(ModelArchitecture.DistilBert)]
    [InlineData(ModelArchitecture.Gpt2)]
    [InlineData(ModelArchitecture.Opt)]
    public void Load_Slice_EqualsTheMatchingBlocksOfTheWholeLayer(ModelArchitecture architecture)
    {
        var config = TinyModels.Of(architecture);
        var source = InMemoryTensorSource.Synthetic(config, seed: 1);
        var whole = TransformerWeights.Load(config, source).Layers[1];
        var slice = new LayerSlice(1, 3, 17, 50);

        var part = TransformerWeights.Load(config, source, _ => slice).Layers[1];

        var h = config.HiddenSize;
        var d = config.HeadDim;
        var width = slice.HeadCount * d;
        var wholeQkv = whole.QueryKeyValue!.Unpack();
        var partQkv = part.QueryKeyValue!.Unpack();
        for (var r = 0; r < h; r++)
        {
            for (var block = 0; block < 3; block++)
            {
                Assert.Equal(
                    wholeQkv.AsSpan((r * 3 * h) + (block * h) + (slice.HeadStart * d), width).ToArray(),
                    partQkv.AsSpan((r * 3 * width) + (block * width), width).ToArray());
            }
        }

        Assert.Equal(whole.Output!.Unpack().AsSpan(slice.HeadStart * d * h, width * h).ToArray(), part.Output!.Unpack());
        Assert.Equal(whole.Down!.Unpack().AsSpan(slice.ColumnStart * h, slice.ColumnCount * h).ToArray(), part.Down!.Unpack());
        Assert.Equal(whole.UpBias.AsSpan(slice.ColumnStart, slice.ColumnCount).ToArray(), part.UpBias);
        Assert.Equal(whole.OutputBias, part.OutputBias);
    }

    [Fact]
    public void Load_EmptySlice_HoldsNoMatrices()
    {
        var config = TinyModels.Of(ModelArchitecture.Gpt2);

        var layer = TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, 1), _ => new LayerSlice(2, 2, 0, 0)).Layers[0];

        Assert.Null(layer.QueryKeyValue);
        Assert.Null(layer.Output);
        Assert.Null(layer.Up);
        Assert.Null(layer.Down);
        Assert.Empty(layer.UpBias);
    }

    [Fact]
    public void Load_TensorShapeContradictsConfig_NamesTensorAndBothShapes()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        var source = InMemoryTensorSource.Synthetic(config, 1);
        source.Set("encoder.layer.1.intermediate.dense.weight", [64, 48], new float[64 * 48]);

        var error = Assert.Throws<InvalidDataException>(() => TransformerWeights.Load(config, source));

        Assert.Contains("encoder.layer.1.intermediate.dense.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("[64, 48]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[80, 48]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingTensor_NamesIt()
    {
        var config = TinyModels.Of(ModelArchitecture.Opt);
        var source = InMemoryTensorSource.Synthetic(config, 1);
        source.Remove("model.decoder.layers.0.fc2.bias");

        var error = Assert.Throws<InvalidDataException>(() => TransformerWeights.Load(config, source));

        Assert.Contains("model.decoder.layers.0.fc2.bias", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WeightsOfAnotherFamily_SaysTheyDoNotLookLikeIt()
    {
        var bert = TinyModels.Of(ModelArchitecture.Bert);

        var error = Assert.Throws<InvalidDataException>(() => TransformerWeights.Load(TinyModels.Of(ModelArchitecture.Gpt2), InMemoryTensorSource.Synthetic(bert, 1)));

        Assert.Contains("wte.weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SliceOutsideTheLayer_Throws()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);

        Assert.Throws<ArgumentException>(() => TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, 1), _ => new LayerSlice(0, 5, 0, 10)));
        Assert.Throws<ArgumentException>(() => TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, 1), _ => new LayerSlice(0, 2, 30, 81)));
    }

    [Fact]
    public void Synthetic_SameSeed_SameValues_AndShapesFollowTheConfig()
    {
        var config = TinyModels.Of(ModelArchitecture.Gpt2);
        var layout = SyntheticCheckpoint.Layout(config);

        Assert.Contains(layout, t => t.Name == "h.1.attn.c_attn.weight" && t.Shape.SequenceEqual([48, 144]));
        Assert.Equal(SyntheticCheckpoint.Values("wte.weight", [60, 48], 3), SyntheticCheckpoint.Values("wte.weight", [60, 48], 3));
        Assert.NotEqual(SyntheticCheckpoint.Values("wte.weight", [60, 48], 3), SyntheticCheckpoint.Values("wte.weight", [60, 48], 4));
    }
}
