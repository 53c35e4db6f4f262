using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Model;

public sealed class EncoderTests : IDisposable
{
    // fp32 forward vs a double-precision oracle through 2 post-LN layers of width 48.
    private const double OracleTolerance = 2e-5;

    private readonly KernelThreads _threads = new(2);

    [Theory]
    [InlineData(ModelArchitecture.Bert)]
    [InlineData(ModelArchitecture.DistilBert)]
    public void Forward_OneSequence_MatchesNaiveReference(ModelArchitecture architecture)
    {
        var config = TinyModels.Of(architecture);
        var source = InMemoryTensorSource.Synthetic(config, seed: 1);
        var encoder = new Encoder(TransformerWeights.Load(config, source), _threads);
        var ids = TinyModels.Tokens(19, seed: 2);
        int[]? types = architecture == ModelArchitecture.Bert ? ids.Select((_, i) => i < 9 ? 0 : 1).ToArray() : null;

        var hidden = encoder.Forward(ids, types, default);

        DecoderTests.AssertClose(ReferenceTransformer.Encoder(config, source, ids, types, null), hidden, config.HiddenSize, OracleTolerance);
    }

    [Fact]
    public void Forward_PaddedBatch_RealTokensMatchUnpaddedRuns()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        var source = InMemoryTensorSource.Synthetic(config, seed: 3);
        var encoder = new Encoder(TransformerWeights.Load(config, source), _threads);
        var shortIds = TinyModels.Tokens(7, seed: 4);
        var longIds = TinyModels.Tokens(12, seed: 5);
        int[] batch = [.. shortIds, 0, 0, 0, 0, 0, .. longIds];
        byte[] mask = [.. Enumerable.Repeat((byte)1, 7), 0, 0, 0, 0, 0, .. Enumerable.Repeat((byte)1, 12)];

        var hidden = encoder.Forward(batch, default, mask, batch: 2);

        var h = config.HiddenSize;
        var alone = encoder.Forward(shortIds, default, default);
        Assert.True(TestData.MaxAbsDiff(alone, hidden.AsSpan(0, 7 * h)) <= 1e-5);
        Assert.True(TestData.MaxAbsDiff(encoder.Forward(longIds, default, default), hidden.AsSpan(12 * h, 12 * h)) <= 1e-5);
        var expected = ReferenceTransformer.Encoder(config, source, batch[..12], null, mask[..12]);
        DecoderTests.AssertClose(expected, hidden[..(12 * h)], h, OracleTolerance);

        var pooled = Encoder.MeanPool(hidden, mask, 2, h);
        var pooledAlone = Encoder.MeanPool(alone, default, 1, h);
        Assert.True(TestData.MaxAbsDiff(pooledAlone, pooled.AsSpan(0, h)) <= 1e-5);
        Assert.Equal(1.0, Math.Sqrt(pooled.AsSpan(h, h).ToArray().Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public void Pool_Bert_IsTanhOfDenseOnClsRow()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        var source = InMemoryTensorSource.Synthetic(config, seed: 6);
        var encoder = new Encoder(TransformerWeights.Load(config, source), _threads);
        var hidden = encoder.Forward(TinyModels.Tokens(5, seed: 7), default, default);

        var pooled = encoder.Pool(hidden, 1);

        var h = config.HiddenSize;
        var w = source.Get("pooler.dense.weight");
        var b = source.Get("pooler.dense.bias");
        for (var o = 0; o < h; o++)
        {
            var sum = (double)b[o];
            for (var i = 0; i < h; i++)
            {
                sum += w[(o * h) + i] * (double)hidden[i];
            }

            Assert.Equal(Math.Tanh(sum), pooled[o], 1e-6);
        }
    }

    [Fact]
    public void Forward_BadInput_ThrowsClearly()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert);
        var encoder = new Encoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, seed: 8)), _threads);

        Assert.Contains("40 positions", Assert.Throws<ArgumentException>(() => encoder.Forward(new int[41], default, default)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => encoder.Forward([], default, default));
        Assert.Throws<ArgumentException>(() => encoder.Forward(new int[5], default, default, batch: 2));
        Assert.Throws<ArgumentException>(() => encoder.Forward(new int[4], new int[3], default));
        Assert.Throws<ArgumentException>(() => encoder.Forward(new int[4], default, new byte[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Forward([1, 60], default, default));
        Assert.Throws<ArgumentException>(() => new Decoder(TransformerWeights.Load(config, InMemoryTensorSource.Synthetic(config, 1))));
    }

    public void Dispose() => _threads.Dispose();
}
