using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class GeluTests
{
    // The float erf approximation is a few ulps off erf (≤ ~1e-7 abs) and y = 0.5·x·(1 + erf) scales that
    // by |x|/2; inputs reach |x| = 8, and the float rounding of y itself adds ~|x|·6e-8.
    private const double ErfFormTolerance = 2e-6;

    // One float exp (~1 ulp) and a division; the error is relative to |x|, at most 8 here.
    private const double TanhFormTolerance = 2e-6;

    private const float InputScale = 8f;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(3072)]
    [InlineData(128 * 1024)]
    public void Erf_RandomInputs_MatchesDoubleReference(int length)
    {
        var x = TestData.Uniform(length, seed: 11, InputScale);
        var actual = new float[length];

        Gelu.Erf(x, actual);

        Assert.InRange(TestData.MaxAbsDiff(Reference(x, ReferenceGeluErf), actual), 0, ErfFormTolerance);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(3072)]
    [InlineData(128 * 1024)]
    public void Tanh_RandomInputs_MatchesDoubleReference(int length)
    {
        var x = TestData.Uniform(length, seed: 12, InputScale);
        var actual = new float[length];

        Gelu.Tanh(x, actual);

        Assert.InRange(TestData.MaxAbsDiff(Reference(x, ReferenceGeluTanh), actual), 0, TanhFormTolerance);
    }

    [Fact]
    public void Erf_ExtremeInputs_SaturateWithoutNaN()
    {
        float[] x = [0f, 1e3f, -1e3f, 3e38f, -3e38f, -6f, 6f];
        var actual = new float[x.Length];

        Gelu.Erf(x, actual);

        Assert.Equal([0f, 1e3f, 0f, 3e38f, 0f], actual[..5]);
        Assert.InRange(actual[5], -1e-6f, 0f);
        Assert.Equal(6f, actual[6], 1e-6f);
    }

    [Fact]
    public void Tanh_ExtremeInputs_SaturateWithoutNaN()
    {
        float[] x = [0f, 1e3f, -1e3f, 3e38f, -3e38f];
        var actual = new float[x.Length];

        Gelu.Tanh(x, actual);

        Assert.Equal([0f, 1e3f, 0f, 3e38f, 0f], actual);
    }

    [Fact]
    public void ReferenceErf_KnownValues_Match()
    {
        // erf(0.5), erf(1), erf(2), erf(3.5) to 16 digits (Abramowitz & Stegun, table 7.1 / any CAS).
        Assert.Equal(0.5204998778130465, ReferenceErf(0.5), 1e-15);
        Assert.Equal(0.8427007929497149, ReferenceErf(1.0), 1e-15);
        Assert.Equal(0.9953222650189527, ReferenceErf(2.0), 1e-15);
        Assert.Equal(0.9999992569016276, ReferenceErf(3.5), 1e-15);
        Assert.Equal(-0.8427007929497149, ReferenceErf(-1.0), 1e-15);
    }

    [Fact]
    public void Erf_InPlace_EqualsOutOfPlace()
    {
        var x = TestData.Uniform(45, seed: 13, InputScale);
        var expected = new float[x.Length];
        Gelu.Erf(x, expected);

        Gelu.Erf(x, x);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Tanh_InPlace_EqualsOutOfPlace()
    {
        var x = TestData.Uniform(45, seed: 14, InputScale);
        var expected = new float[x.Length];
        Gelu.Tanh(x, expected);

        Gelu.Tanh(x, x);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Erf_DestinationLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gelu.Erf(new float[10], new float[9]));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("9", ex.Message, StringComparison.Ordinal);
        Assert.Contains("10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tanh_DestinationLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gelu.Tanh(new float[10], new float[11]));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("11", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Erf_PartialOverlap_Throws()
    {
        var buffer = new float[20];
        var ex = Assert.Throws<ArgumentException>(() => Gelu.Erf(buffer.AsSpan(0, 10), buffer.AsSpan(5, 10)));
        Assert.Contains("partially overlaps", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tanh_PartialOverlap_Throws()
    {
        var buffer = new float[20];
        var ex = Assert.Throws<ArgumentException>(() => Gelu.Tanh(buffer.AsSpan(1, 10), buffer.AsSpan(0, 10)));
        Assert.Contains("partially overlaps", ex.Message, StringComparison.Ordinal);
    }

    private static float[] Reference(float[] x, Func<double, double> gelu) => [.. x.Select(v => (float)gelu(v))];

    private static double ReferenceGeluErf(double x) => 0.5 * x * (1 + ReferenceErf(x / Math.Sqrt(2)));

    private static double ReferenceGeluTanh(double x) =>
        0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x))));

    // erf(z) = 2/√π · e^(−z²) · Σ_{n≥0} 2ⁿ z^(2n+1) / (1·3·…·(2n+1)): every term is positive, so there is
    // no cancellation; beyond |z| = 6, 1 − erf(z) < 3e-17.
    private static double ReferenceErf(double z)
    {
        if (z < 0)
        {
            return -ReferenceErf(-z);
        }

        if (z > 6)
        {
            return 1;
        }

        var term = z;
        var sum = z;
        for (var n = 1; term > 1e-18 * sum; n++)
        {
            term *= 2 * z * z / ((2 * n) + 1);
            sum += term;
        }

        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-z * z) * sum;
    }
}
