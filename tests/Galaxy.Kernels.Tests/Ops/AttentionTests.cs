using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class AttentionTests : IDisposable
{
    // Outputs are convex combinations of V entries in [−1, 1]; float dot products of 64 terms, a float
    // softmax (≤ 1e-6 per weight) and a float weighted sum keep each output within ~1e-6 of the double
    // reference.
    private const double Tolerance = 2e-6;

    private const int Heads = 3;
    private const int HeadDim = 64;

    private readonly KernelThreads _oneThread = new(1);
    private readonly KernelThreads _twoThreads = new(2);

    public void Dispose()
    {
        _oneThread.Dispose();
        _twoThreads.Dispose();
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(31, false)]
    [InlineData(32, false)]
    [InlineData(33, false)]
    [InlineData(128, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(31, true)]
    [InlineData(32, true)]
    [InlineData(33, true)]
    [InlineData(128, true)]
    public void Apply_HeadSubset_MatchesDoubleReference(int rows, bool causal)
    {
        var shape = new AttentionShape(rows, rows, Heads, HeadDim) { Causal = causal };
        var (query, key, value) = Inputs(shape, seed: 71);
        var actual = new float[query.Length];

        Attention.Apply(query, key, value, actual, shape, threads: _twoThreads);

        Assert.InRange(TestData.MaxAbsDiff(Reference(query, key, value, shape, []), actual), 0, Tolerance);
    }

    [Fact]
    public void Apply_DifferentQueryAndKeyRows_MatchesDoubleReference()
    {
        var shape = new AttentionShape(QueryRows: 5, KeyRows: 40, Heads: 2, HeadDim: 16);
        var (query, key, value) = Inputs(shape, seed: 72);
        var actual = new float[query.Length];

        Attention.Apply(query, key, value, actual, shape, threads: _twoThreads);

        Assert.InRange(TestData.MaxAbsDiff(Reference(query, key, value, shape, []), actual), 0, Tolerance);
    }

    [Fact]
    public void Apply_ExplicitScale_MatchesDoubleReference()
    {
        var shape = new AttentionShape(9, 9, Heads, HeadDim) { Scale = 0.5f };
        var (query, key, value) = Inputs(shape, seed: 73);
        var actual = new float[query.Length];

        Attention.Apply(query, key, value, actual, shape, threads: _twoThreads);

        Assert.InRange(TestData.MaxAbsDiff(Reference(query, key, value, shape, []), actual), 0, Tolerance);
    }

    [Fact]
    public void Shape_ScaleNotSet_IsInverseSqrtHeadDim()
    {
        Assert.Equal(0.125f, new AttentionShape(1, 1, 1, 64).Scale);
        Assert.Equal(0.5f, new AttentionShape(1, 1, 1, 64) { Scale = 0.5f }.Scale);
        Assert.Equal(1f / MathF.Sqrt(128), (new AttentionShape(1, 1, 1, 64) with { HeadDim = 128 }).Scale);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Apply_KeyPaddingMask_MatchesDoubleReference(bool causal)
    {
        var shape = new AttentionShape(33, 33, Heads, HeadDim) { Causal = causal };
        var (query, key, value) = Inputs(shape, seed: 74);
        var mask = Enumerable.Range(0, 33).Select(j => (byte)(j % 5 == 3 || j >= 30 ? 0 : 1)).ToArray();
        var actual = new float[query.Length];

        Attention.Apply(query, key, value, actual, shape, mask, _twoThreads);

        Assert.InRange(TestData.MaxAbsDiff(Reference(query, key, value, shape, mask), actual), 0, Tolerance);
    }

    [Fact]
    public void Apply_PaddedKeys_DoNotAffectOutput()
    {
        var shape = new AttentionShape(8, 8, Heads, HeadDim);
        var (query, key, value) = Inputs(shape, seed: 75);
        var mask = new byte[] { 1, 1, 1, 1, 1, 0, 0, 0 };
        var expected = new float[query.Length];
        Attention.Apply(query, key, value, expected, shape, mask, _twoThreads);
        var width = Heads * HeadDim;
        TestData.Uniform(3 * width, seed: 76, scale: 100f).CopyTo(key, 5 * width);
        TestData.Uniform(3 * width, seed: 77, scale: 100f).CopyTo(value, 5 * width);
        var actual = new float[query.Length];

        Attention.Apply(query, key, value, actual, shape, mask, _twoThreads);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Apply_AllKeysMasked_OutputsZeros()
    {
        var shape = new AttentionShape(4, 6, Heads, HeadDim);
        var (query, key, value) = Inputs(shape, seed: 78);
        var actual = Enumerable.Repeat(float.NaN, query.Length).ToArray();

        Attention.Apply(query, key, value, actual, shape, new byte[6], _twoThreads);

        Assert.All(actual, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Apply_CausalFirstRowWithOnlyFutureKeysUnmasked_OutputsZeros()
    {
        var shape = new AttentionShape(3, 3, 1, 8) { Causal = true };
        var (query, key, value) = Inputs(shape, seed: 79);
        var actual = new float[query.Length];

        Attention.Apply(query, key, value, actual, shape, new byte[] { 0, 1, 1 }, _twoThreads);

        Assert.All(actual.AsSpan(0, 8).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(actual.AsSpan(8).ToArray(), v => v != 0f);
    }

    [Fact]
    public void Apply_NoKeys_OutputsZeros()
    {
        var shape = new AttentionShape(2, 0, Heads, HeadDim);
        var actual = Enumerable.Repeat(1f, 2 * Heads * HeadDim).ToArray();

        Attention.Apply(new float[actual.Length], [], [], actual, shape, threads: _twoThreads);

        Assert.All(actual, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Apply_DeviceHoldsNoHeads_DoesNothing() =>
        Attention.Apply([], [], [], [], new AttentionShape(16, 16, 0, HeadDim), threads: _twoThreads);

    [Fact]
    public void Apply_DecodeOneRowWithOffset_EqualsLastRowOfFullCausal()
    {
        const int Rows = 33;
        var full = new AttentionShape(Rows, Rows, Heads, HeadDim) { Causal = true };
        var (query, key, value) = Inputs(full, seed: 80);
        var expected = new float[query.Length];
        Attention.Apply(query, key, value, expected, full, threads: _twoThreads);
        var width = Heads * HeadDim;
        var decode = new AttentionShape(1, Rows, Heads, HeadDim) { Causal = true, QueryOffset = Rows - 1 };
        var actual = new float[width];

        Attention.Apply(query.AsSpan((Rows - 1) * width), key, value, actual, decode, threads: _twoThreads);

        // The same dot products, softmax and sum over the same keys: bit-identical.
        Assert.Equal(expected.AsSpan((Rows - 1) * width).ToArray(), actual);
    }

    [Fact]
    public void Apply_ChunkWithOffset_EqualsSameRowsOfFullCausal()
    {
        const int Rows = 40;
        const int Start = 17;
        var full = new AttentionShape(Rows, Rows, Heads, HeadDim) { Causal = true };
        var (query, key, value) = Inputs(full, seed: 81);
        var expected = new float[query.Length];
        Attention.Apply(query, key, value, expected, full, threads: _twoThreads);
        var width = Heads * HeadDim;
        var chunk = new AttentionShape(Rows - Start, Rows, Heads, HeadDim) { Causal = true, QueryOffset = Start };
        var actual = new float[(Rows - Start) * width];

        Attention.Apply(query.AsSpan(Start * width), key, value, actual, chunk, threads: _twoThreads);

        Assert.Equal(expected.AsSpan(Start * width).ToArray(), actual);
    }

    [Fact]
    public void Apply_CausalFutureKeysAndValuesPerturbed_EarlierRowsUnchanged()
    {
        const int Rows = 33;
        const int FirstChanged = 20;
        var shape = new AttentionShape(Rows, Rows, Heads, HeadDim) { Causal = true };
        var (query, key, value) = Inputs(shape, seed: 82);
        var before = new float[query.Length];
        Attention.Apply(query, key, value, before, shape, threads: _twoThreads);
        var width = Heads * HeadDim;
        TestData.Uniform((Rows - FirstChanged) * width, seed: 83, scale: 50f).CopyTo(key, FirstChanged * width);
        TestData.Uniform((Rows - FirstChanged) * width, seed: 84, scale: 50f).CopyTo(value, FirstChanged * width);
        var after = new float[query.Length];

        Attention.Apply(query, key, value, after, shape, threads: _twoThreads);

        Assert.Equal(before.AsSpan(0, FirstChanged * width).ToArray(), after.AsSpan(0, FirstChanged * width).ToArray());
        Assert.NotEqual(before.AsSpan(FirstChanged * width).ToArray(), after.AsSpan(FirstChanged * width).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Apply_OneThreadVersusTwo_BitIdentical(bool causal)
    {
        var shape = new AttentionShape(128, 128, Heads, HeadDim) { Causal = causal };
        var (query, key, value) = Inputs(shape, seed: 85);
        var mask = Enumerable.Range(0, 128).Select(j => (byte)(j < 120 ? 1 : 0)).ToArray();
        var single = new float[query.Length];
        var pair = new float[query.Length];

        Attention.Apply(query, key, value, single, shape, mask, _oneThread);
        Attention.Apply(query, key, value, pair, shape, mask, _twoThreads);

        Assert.Equal(single, pair);
    }

    [Fact]
    public void Apply_DefaultThreads_UsesSharedPool()
    {
        var shape = new AttentionShape(4, 4, 2, 8);
        var (query, key, value) = Inputs(shape, seed: 86);
        var expected = new float[query.Length];
        var actual = new float[query.Length];
        Attention.Apply(query, key, value, expected, shape, threads: _oneThread);

        Attention.Apply(query, key, value, actual, shape);

        Assert.Equal(expected, actual);
    }

    public static TheoryData<string, AttentionShape> BadShapes => new()
    {
        { "QueryRows = -1", new AttentionShape(-1, 4, 1, 8) },
        { "KeyRows = -1", new AttentionShape(4, -1, 1, 8) },
        { "Heads = -1", new AttentionShape(4, 4, -1, 8) },
        { "HeadDim = 0", new AttentionShape(4, 4, 1, 0) },
        { "QueryOffset = -2", new AttentionShape(4, 4, 1, 8) { Causal = true, QueryOffset = -2 } },
        { "NaN", new AttentionShape(4, 4, 1, 8) { Scale = float.NaN } },
        { "Infinity", new AttentionShape(4, 4, 1, 8) { Scale = float.PositiveInfinity } },
    };

    [Theory]
    [MemberData(nameof(BadShapes))]
    public void Apply_BadShape_ThrowsOutOfRange(string named, AttentionShape shape)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Attention.Apply(new float[32], new float[32], new float[32], new float[32], shape));
        Assert.Equal("shape", ex.ParamName);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query", 95, 96, 96, 96)]
    [InlineData("key", 96, 64, 96, 96)]
    [InlineData("value", 96, 96, 97, 96)]
    [InlineData("destination", 96, 96, 96, 0)]
    public void Apply_OperandLengthWrong_Throws(string operand, int queryLength, int keyLength, int valueLength, int destinationLength)
    {
        var shape = new AttentionShape(4, 4, 3, 8);

        var ex = Assert.Throws<ArgumentException>(() => Attention.Apply(
            new float[queryLength], new float[keyLength], new float[valueLength], new float[destinationLength], shape));

        Assert.Equal(operand, ex.ParamName);
        Assert.Contains("× 3 × 8 = 96", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_KeyMaskLengthWrong_Throws()
    {
        var shape = new AttentionShape(4, 4, 1, 8);

        var ex = Assert.Throws<ArgumentException>(() => Attention.Apply(new float[32], new float[32], new float[32], new float[32], shape, new byte[3]));

        Assert.Equal("keyMask", ex.ParamName);
        Assert.Contains("3 entries", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4 key rows", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query")]
    [InlineData("key")]
    [InlineData("value")]
    public void Apply_DestinationOverlapsInput_Throws(string operand)
    {
        var shape = new AttentionShape(4, 4, 1, 8);
        var buffer = new float[64];

        var ex = Assert.Throws<ArgumentException>(() => Attention.Apply(
            operand == "query" ? buffer.AsSpan(0, 32) : new float[32],
            operand == "key" ? buffer.AsSpan(0, 32) : new float[32],
            operand == "value" ? buffer.AsSpan(0, 32) : new float[32],
            buffer.AsSpan(16, 32),
            shape));

        Assert.Equal("destination", ex.ParamName);
        Assert.Contains($"overlaps {operand}", ex.Message, StringComparison.Ordinal);
    }

    private static (float[] Query, float[] Key, float[] Value) Inputs(AttentionShape shape, int seed)
    {
        var width = shape.Heads * shape.HeadDim;
        return (
            TestData.Uniform(shape.QueryRows * width, seed),
            TestData.Uniform(shape.KeyRows * width, seed + 1000),
            TestData.Uniform(shape.KeyRows * width, seed + 2000));
    }

    private static float[] Reference(float[] query, float[] key, float[] value, AttentionShape shape, byte[] mask)
    {
        var width = shape.Heads * shape.HeadDim;
        var output = new float[shape.QueryRows * width];
        var scores = new double[shape.KeyRows];
        for (var h = 0; h < shape.Heads; h++)
        {
            for (var i = 0; i < shape.QueryRows; i++)
            {
                var max = double.NegativeInfinity;
                for (var j = 0; j < shape.KeyRows; j++)
                {
                    var visible = (mask.Length == 0 || mask[j] != 0) && (!shape.Causal || j <= shape.QueryOffset + i);
                    var dot = 0.0;
                    for (var d = 0; d < shape.HeadDim; d++)
                    {
                        dot += (double)query[(i * width) + (h * shape.HeadDim) + d] * key[(j * width) + (h * shape.HeadDim) + d];
                    }

                    scores[j] = visible ? shape.Scale * dot : double.NegativeInfinity;
                    max = Math.Max(max, scores[j]);
                }

                if (double.IsNegativeInfinity(max))
                {
                    continue;
                }

                var sum = scores.Sum(s => Math.Exp(s - max));
                for (var d = 0; d < shape.HeadDim; d++)
                {
                    var acc = 0.0;
                    for (var j = 0; j < shape.KeyRows; j++)
                    {
                        acc += Math.Exp(scores[j] - max) / sum * value[(j * width) + (h * shape.HeadDim) + d];
                    }

                    output[(i * width) + (h * shape.HeadDim) + d] = (float)acc;
                }
            }
        }

        return output;
    }
}
