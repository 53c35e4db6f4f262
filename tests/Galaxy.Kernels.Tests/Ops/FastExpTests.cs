using System.Numerics;
using System.Runtime.Intrinsics;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class FastExpTests
{
    // FastExp promises 1 ulp of the correctly rounded float; for normal results that is a relative
    // error of at most 2^−23 ≈ 1.19e-7 (measured: 8.9e-8).
    private const long MaxUlps = 1;
    private const double MaxRelativeError = 1.2e-7;

    // [−104, 89] covers every input whose e^x is neither 0 nor +∞ in float, including the subnormal
    // results below −87.34; 2²² points are ~46 ns apart, ~200 float ulps near |x| = 64.
    private const int SweepPoints = 1 << 22;
    private const float SweepLow = -104f;
    private const float SweepHigh = 89f;

    // 2^−126, the smallest normal float.
    private const double MinNormal = 1.1754943508222875e-38;

    public static TheoryData<string> Widths => ["vector", "vector512"];

    public static TheoryData<string, float, float> SpecialValues => new()
    {
        { "vector", float.NegativeInfinity, 0f },
        { "vector", float.PositiveInfinity, float.PositiveInfinity },
        { "vector", -1e30f, 0f },
        { "vector", 1e30f, float.PositiveInfinity },
        { "vector", 0f, 1f },
        { "vector", -0f, 1f },
        { "vector", float.Epsilon, 1f },
        { "vector", 88.72283f, 3.4027985e38f },
        { "vector", 88.72284f, float.PositiveInfinity },
        { "vector", -103.972f, float.Epsilon },
        { "vector", -104f, 0f },
        { "vector512", float.NegativeInfinity, 0f },
        { "vector512", float.PositiveInfinity, float.PositiveInfinity },
        { "vector512", -1e30f, 0f },
        { "vector512", 1e30f, float.PositiveInfinity },
        { "vector512", 0f, 1f },
        { "vector512", -0f, 1f },
        { "vector512", float.Epsilon, 1f },
        { "vector512", 88.72283f, 3.4027985e38f },
        { "vector512", 88.72284f, float.PositiveInfinity },
        { "vector512", -103.972f, float.Epsilon },
        { "vector512", -104f, 0f },
    };

    [Theory]
    [MemberData(nameof(Widths))]
    public void Exp_DenseSweep_WithinOneUlpOfMathExp(string width)
    {
        var x = Sweep();

        var actual = Apply(width, x, besideNaN: false);

        AssertWithinTolerance(x, actual);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Exp_DenseSweepBesideNaNLane_WithinOneUlpOfMathExp(string width)
    {
        // A NaN in lane 0 sends every vector down the clamped any-range path, which must be as accurate.
        var x = Sweep();

        var actual = Apply(width, x, besideNaN: true);

        AssertWithinTolerance(x, actual);
    }

    [Theory]
    [MemberData(nameof(SpecialValues))]
    public void Exp_SpecialValue_MatchesExpected(string width, float x, float expected)
    {
        // The special value sits in lane 1 of an otherwise ordinary vector, which must stay accurate.
        var lanes = width == "vector" ? Vector<float>.Count : Vector512<float>.Count;
        var input = Enumerable.Range(0, lanes).Select(i => (i * 0.37f) - 2f).ToArray();
        input[1] = x;

        var actual = Apply(width, input, besideNaN: false);

        Assert.Equal(expected, actual[1]);
        for (var i = 0; i < lanes; i++)
        {
            if (i != 1)
            {
                Assert.Equal(Math.Exp(input[i]), actual[i], MaxRelativeError * Math.Exp(input[i]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Exp_NaN_ReturnsNaN(string width)
    {
        var lanes = width == "vector" ? Vector<float>.Count : Vector512<float>.Count;
        var input = new float[lanes];
        input[^1] = float.NaN;

        var actual = Apply(width, input, besideNaN: false);

        Assert.True(float.IsNaN(actual[^1]));
        Assert.All(actual[..^1], y => Assert.Equal(1f, y));
    }

    private static float[] Sweep()
    {
        var x = new float[SweepPoints];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = SweepLow + ((SweepHigh - SweepLow) * (float)((double)i / (SweepPoints - 1)));
        }

        return x;
    }

    private static void AssertWithinTolerance(float[] x, float[] actual)
    {
        var worstUlps = 0L;
        var worstRelative = 0.0;
        var worstAt = 0f;
        for (var i = 0; i < x.Length; i++)
        {
            var exact = Math.Exp(x[i]);
            var ulps = Math.Abs((long)BitConverter.SingleToInt32Bits((float)exact) - BitConverter.SingleToInt32Bits(actual[i]));
            if (ulps > worstUlps)
            {
                worstUlps = ulps;
                worstAt = x[i];
            }

            if (exact >= MinNormal && exact <= float.MaxValue)
            {
                worstRelative = Math.Max(worstRelative, Math.Abs((actual[i] / exact) - 1));
            }
        }

        Assert.True(worstUlps <= MaxUlps, $"{worstUlps} ulps from the rounded e^x at x = {worstAt:R}");
        Assert.InRange(worstRelative, 0, MaxRelativeError);
    }

    // Runs FastExp vector by vector; with besideNaN, lane 0 of every vector is NaN and x fills the rest.
    private static float[] Apply(string width, float[] x, bool besideNaN)
    {
        var lanes = width == "vector" ? Vector<float>.Count : Vector512<float>.Count;
        var first = besideNaN ? 1 : 0;
        var y = new float[x.Length];
        var chunk = new float[lanes];
        for (var i = 0; i < x.Length; i += lanes - first)
        {
            var count = Math.Min(lanes - first, x.Length - i);
            Array.Clear(chunk);
            chunk[0] = besideNaN ? float.NaN : 0f;
            x.AsSpan(i, count).CopyTo(chunk.AsSpan(first));
            var result = width == "vector"
                ? ToArray(FastExp.Exp(new Vector<float>(chunk)))
                : ToArray(FastExp.Exp(Vector512.Create(chunk)));
            result.AsSpan(first, count).CopyTo(y.AsSpan(i));
        }

        return y;
    }

    private static float[] ToArray(Vector<float> v)
    {
        var values = new float[Vector<float>.Count];
        v.CopyTo(values);
        return values;
    }

    private static float[] ToArray(Vector512<float> v)
    {
        var values = new float[Vector512<float>.Count];
        v.CopyTo(values);
        return values;
    }
}
