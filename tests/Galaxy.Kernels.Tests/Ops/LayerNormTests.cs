using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class LayerNormTests
{
    // Outputs are O(1) (normalised values times γ ~ 1, plus β); the float scale-and-shift rounds each to a
    // few ulps (~1e-7), so 1e-5 leaves room while still catching a float-rounded mean (~1e-3 on offset rows).
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 31)]
    [InlineData(3, 32)]
    [InlineData(3, 33)]
    [InlineData(128, 384)]
    [InlineData(128, 768)]
    [InlineData(16, 1024)]
    public void Apply_RandomRows_MatchesDoubleReference(int rows, int hidden)
    {
        var x = TestData.Uniform(rows * hidden, seed: 51, scale: 3f);
        var gamma = TestData.Uniform(hidden, seed: 52, scale: 2f);
        var beta = TestData.Uniform(hidden, seed: 53);
        var actual = new float[x.Length];

        LayerNorm.Apply(x, gamma, beta, actual, 1e-5f);

        Assert.InRange(TestData.MaxAbsDiff(Reference(x, gamma, beta, 1e-5), actual), 0, Tolerance);
    }

    [Fact]
    public void Apply_LargeOffsetSmallSpread_KeepsPrecision()
    {
        const int Hidden = 768;
        var x = TestData.Uniform(4 * Hidden, seed: 54, scale: 0.05f).Select(v => 1000f + v).ToArray();
        var gamma = Enumerable.Repeat(1f, Hidden).ToArray();
        var beta = new float[Hidden];
        var actual = new float[x.Length];

        LayerNorm.Apply(x, gamma, beta, actual);

        Assert.InRange(TestData.MaxAbsDiff(Reference(x, gamma, beta, 1e-12), actual), 0, Tolerance);
    }

    [Fact]
    public void Apply_ConstantRow_ReturnsBeta()
    {
        var x = Enumerable.Repeat(2.5f, 33).ToArray();
        var gamma = TestData.Uniform(33, seed: 55);
        var beta = TestData.Uniform(33, seed: 56);
        var actual = new float[x.Length];

        LayerNorm.Apply(x, gamma, beta, actual);

        Assert.Equal(beta, actual);
    }

    [Fact]
    public void Apply_TailElements_RoundLikeBodyElements()
    {
        // Rows of 64 + 7: whatever the vector width (4, 8 or 16), the last 7 elements are a tail. Each tail
        // element repeats the inputs of a body element, so its output must repeat that output to the bit.
        const int Hidden = 71;
        const int Tail = 7;
        var x = TestData.Uniform(16 * Hidden, seed: 60, scale: 3f);
        var gamma = TestData.Uniform(Hidden, seed: 61, scale: 2f);
        var beta = TestData.Uniform(Hidden, seed: 62);
        for (var k = 0; k < Tail; k++)
        {
            gamma[Hidden - Tail + k] = gamma[k];
            beta[Hidden - Tail + k] = beta[k];
            for (var r = 0; r < 16; r++)
            {
                x[(r * Hidden) + Hidden - Tail + k] = x[(r * Hidden) + k];
            }
        }

        var actual = new float[x.Length];

        LayerNorm.Apply(x, gamma, beta, actual, 1e-5f);

        for (var r = 0; r < 16; r++)
        {
            Assert.Equal(actual.AsSpan(r * Hidden, Tail).ToArray(), actual.AsSpan((r * Hidden) + Hidden - Tail, Tail).ToArray());
        }
    }

    [Fact]
    public void Apply_InPlace_EqualsOutOfPlace()
    {
        var x = TestData.Uniform(5 * 45, seed: 57);
        var gamma = TestData.Uniform(45, seed: 58);
        var beta = TestData.Uniform(45, seed: 59);
        var expected = new float[x.Length];
        LayerNorm.Apply(x, gamma, beta, expected);

        LayerNorm.Apply(x, gamma, beta, x);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Apply_EmptyGamma_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => LayerNorm.Apply(new float[4], [], [], new float[4]));
        Assert.Equal("gamma", ex.ParamName);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BetaLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => LayerNorm.Apply(new float[8], new float[4], new float[3], new float[8]));
        Assert.Equal("beta", ex.ParamName);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_LengthNotMultipleOfGamma_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => LayerNorm.Apply(new float[10], new float[4], new float[4], new float[10]));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("10", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rows of 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_DestinationLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => LayerNorm.Apply(new float[8], new float[4], new float[4], new float[4]));
        Assert.Equal("destination", ex.ParamName);
    }

    [Theory]
    [InlineData(-1e-5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Apply_BadEpsilon_Throws(float epsilon)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm.Apply(new float[4], new float[4], new float[4], new float[4], epsilon));
        Assert.Equal("epsilon", ex.ParamName);
    }

    [Fact]
    public void Apply_DestinationPartiallyOverlapsX_Throws()
    {
        var buffer = new float[12];
        var ex = Assert.Throws<ArgumentException>(() => LayerNorm.Apply(buffer.AsSpan(0, 8), new float[4], new float[4], buffer.AsSpan(4, 8)));
        Assert.Contains("partially overlaps x", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_DestinationOverlapsGamma_Throws()
    {
        var buffer = new float[12];
        var ex = Assert.Throws<ArgumentException>(() => LayerNorm.Apply(new float[8], buffer.AsSpan(0, 4), new float[4], buffer.AsSpan(2, 8)));
        Assert.Contains("overlaps gamma", ex.Message, StringComparison.Ordinal);
    }

    private static float[] Reference(float[] x, float[] gamma, float[] beta, double epsilon)
    {
        var n = gamma.Length;
        var y = new float[x.Length];
        for (var r = 0; r < x.Length / n; r++)
        {
            var row = x.AsSpan(r * n, n);
            var mean = 0.0;
            foreach (var v in row)
            {
                mean += v;
            }

            mean /= n;
            var variance = 0.0;
            foreach (var v in row)
            {
                variance += (v - mean) * (v - mean);
            }

            variance /= n;
            for (var c = 0; c < n; c++)
            {
                y[(r * n) + c] = (float)(((row[c] - mean) / Math.Sqrt(variance + epsilon) * gamma[c]) + beta[c]);
            }
        }

        return y;
    }
}
