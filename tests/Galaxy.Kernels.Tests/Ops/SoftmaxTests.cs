using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class SoftmaxTests
{
    // Probabilities are ≤ 1; float exp (≤ 1 ulp), a float sum spread over 16 or 32 lanes (Σp within
    // 1.5e-7 of 1 for rows of 2048, measured) and one multiply keep each well under 1e-6.
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(3, 31)]
    [InlineData(3, 32)]
    [InlineData(3, 33)]
    [InlineData(5, 9)]
    [InlineData(5, 15)]
    [InlineData(5, 17)]
    [InlineData(12 * 128, 128)]
    [InlineData(4, 2048)]
    public void Apply_RandomLogits_MatchesDoubleReference(int rows, int rowLength)
    {
        var x = TestData.Uniform(rows * rowLength, seed: 61, scale: 10f);
        var actual = new float[x.Length];

        Softmax.Apply(x, actual, rowLength);

        Assert.InRange(TestData.MaxAbsDiff(Reference(x, rowLength), actual), 0, Tolerance);
    }

    [Fact]
    public void Apply_HugeMixedLogits_FiniteAndRowsSumToOne()
    {
        float[] x =
        [
            1e30f, -1e30f, 3e38f, -3e38f, 0f, 1e30f, 3e38f,
            1e30f, 1e30f, -3e38f, 5f, -1e30f, 1e30f, 0f,
            -3e38f, -3e38f, -3e38f, -3e38f, -3e38f, -3e38f, -3e38f,
        ];
        var actual = new float[x.Length];

        Softmax.Apply(x, actual, rowLength: 7);

        Assert.All(actual, p => Assert.True(float.IsFinite(p), $"{p} is not finite"));
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(1.0, actual.AsSpan(r * 7, 7).ToArray().Sum(p => (double)p), 1e-6);
        }

        Assert.Equal([0f, 0f, 0.5f, 0f, 0f, 0f, 0.5f], actual[..7]);
        Assert.Equal([1f / 3, 1f / 3, 0f, 0f, 0f, 1f / 3, 0f], actual[7..14], (a, b) => Math.Abs(a - b) <= Tolerance);
        Assert.All(actual[14..], p => Assert.Equal(1f / 7, p, 1e-6f));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(128)]
    public void Apply_HugeLogitsInLongRows_MatchesDoubleReference(int rowLength)
    {
        // Rows whose spread exceeds the fast exp range, among ordinary rows on both sides.
        var x = TestData.Uniform(5 * rowLength, seed: 65, scale: 8f);
        x[rowLength + 3] = 3e38f;
        x[rowLength + 7] = -3e38f;
        x[(2 * rowLength) + 1] = -1e30f;
        x[(3 * rowLength) + 5] = 120f;
        x[(3 * rowLength) + 6] = -100f;
        var actual = new float[x.Length];

        Softmax.Apply(x, actual, rowLength);

        Assert.All(actual, p => Assert.True(float.IsFinite(p), $"{p} is not finite"));
        Assert.InRange(TestData.MaxAbsDiff(Reference(x, rowLength), actual), 0, Tolerance);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(128)]
    public void Apply_NaNInRow_ThatRowNaNOthersUnaffected(int rowLength)
    {
        var x = TestData.Uniform(4 * rowLength, seed: 66, scale: 8f);
        x[rowLength + 2] = float.NaN;
        x.AsSpan(2 * rowLength, rowLength).Fill(float.NegativeInfinity);
        x[(2 * rowLength) + rowLength - 1] = float.NaN;
        var actual = new float[x.Length];

        Softmax.Apply(x, actual, rowLength);

        Assert.All(actual[rowLength..(3 * rowLength)], p => Assert.True(float.IsNaN(p)));
        Assert.InRange(TestData.MaxAbsDiff(Reference(x[..rowLength], rowLength), actual.AsSpan(0, rowLength)), 0, Tolerance);
        Assert.InRange(TestData.MaxAbsDiff(Reference(x[(3 * rowLength)..], rowLength), actual.AsSpan(3 * rowLength)), 0, Tolerance);
    }

    [Fact]
    public void Apply_FullyMaskedRow_ReturnsZeros()
    {
        var x = TestData.Uniform(3 * 33, seed: 62);
        x.AsSpan(33, 33).Fill(float.NegativeInfinity);
        var actual = new float[x.Length];

        Softmax.Apply(x, actual, rowLength: 33);

        Assert.All(actual[33..66], p => Assert.Equal(0f, p));
        Assert.InRange(TestData.MaxAbsDiff(Reference(x[..33], 33), actual.AsSpan(0, 33)), 0, Tolerance);
        Assert.InRange(TestData.MaxAbsDiff(Reference(x[66..], 33), actual.AsSpan(66)), 0, Tolerance);
    }

    [Fact]
    public void Apply_PartlyMaskedRow_MaskedEntriesZeroOthersRenormalised()
    {
        var x = TestData.Uniform(40, seed: 63, scale: 5f);
        var visible = x[..25];
        x.AsSpan(25).Fill(float.NegativeInfinity);
        var actual = new float[x.Length];

        Softmax.Apply(x, actual, rowLength: 40);

        Assert.All(actual[25..], p => Assert.Equal(0f, p));
        Assert.InRange(TestData.MaxAbsDiff(Reference(visible, 25), actual.AsSpan(0, 25)), 0, Tolerance);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(37)]
    [InlineData(128)]
    public void Apply_InPlace_EqualsOutOfPlace(int rowLength)
    {
        var x = TestData.Uniform(4 * rowLength, seed: 64, scale: 8f);
        x[rowLength + 1] = -1e30f;
        var expected = new float[x.Length];
        Softmax.Apply(x, expected, rowLength);

        Softmax.Apply(x, x, rowLength);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Apply_NoRows_DoesNothing() => Softmax.Apply([], [], rowLength: 5);

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Apply_NonPositiveRowLength_Throws(int rowLength)
    {
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Apply(new float[6], new float[6], rowLength));
        Assert.Contains("must be positive", ex.Message, StringComparison.Ordinal);
        Assert.Contains(rowLength.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_LengthNotMultipleOfRow_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Apply(new float[10], new float[10], rowLength: 4));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("rows of 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_DestinationLengthDiffers_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Apply(new float[8], new float[4], rowLength: 4));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_PartialOverlap_Throws()
    {
        var buffer = new float[12];
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Apply(buffer.AsSpan(0, 8), buffer.AsSpan(4, 8), rowLength: 4));
        Assert.Contains("partially overlaps", ex.Message, StringComparison.Ordinal);
    }

    private static float[] Reference(float[] x, int rowLength)
    {
        var y = new float[x.Length];
        for (var start = 0; start < x.Length; start += rowLength)
        {
            var row = x.AsSpan(start, rowLength);
            double max = row.ToArray().Max();
            var sum = 0.0;
            foreach (var v in row)
            {
                sum += Math.Exp(v - max);
            }

            for (var j = 0; j < rowLength; j++)
            {
                y[start + j] = (float)(Math.Exp(row[j] - max) / sum);
            }
        }

        return y;
    }
}
