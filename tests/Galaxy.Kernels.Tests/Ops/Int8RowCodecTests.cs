using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class Int8RowCodecTests
{
    // |x − q·s| ≤ s/2 from rounding to the nearest level, plus fp32 rounding of 127/max, x·(127/max) and q·s:
    // a few ulps of values up to 127·s, i.e. below s·10⁻⁴.
    private const double ErrorInScales = 0.5 + 1e-4;

    public static TheoryData<string, int, int> PathsAndShapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var path in new[] { "dispatch", "scalar", "v256", "v512" })
        {
            foreach (var (rows, width) in new[] { (1, 1), (2, 2), (3, 31), (3, 32), (3, 33), (2, 64), (2, 65), (4, 384), (2, 1024) })
            {
                data.Add(path, rows, width);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndShapes))]
    public void Encode_RandomRows_MatchesTheNaiveScalarOracleBitForBit(string path, int rows, int width)
    {
        var x = TestData.Uniform(rows * width, seed: rows * width, scale: 3f);
        var (expectedScales, expectedQ) = Oracle(x, width);
        var scales = new float[rows];
        var q = new sbyte[x.Length];

        Encode(path, x, width, scales, q);

        Assert.Equal(expectedScales.Select(BitConverter.SingleToInt32Bits), scales.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expectedQ, q);
    }

    [Theory]
    [MemberData(nameof(PathsAndShapes))]
    public void RoundTrip_RandomRows_ErrorAtMostHalfAScale(string path, int rows, int width)
    {
        // Rows of very different magnitudes: the scale is per row.
        var x = TestData.Uniform(rows * width, seed: 7 + width);
        for (var r = 0; r < rows; r++)
        {
            var magnitude = MathF.Pow(10, r - 2);
            for (var i = 0; i < width; i++)
            {
                x[(r * width) + i] *= magnitude;
            }
        }

        var scales = new float[rows];
        var q = new sbyte[x.Length];
        var back = new float[x.Length];

        Encode(path, x, width, scales, q);
        Decode(path, q, scales, width, back);

        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < width; i++)
            {
                var k = (r * width) + i;
                Assert.True(Math.Abs((double)x[k] - back[k]) <= ErrorInScales * scales[r], $"row {r}, element {i}: {x[k]:R} → {back[k]:R}, scale {scales[r]:R}");
            }

            Assert.Contains(q.Skip(r * width).Take(width), v => Math.Abs((int)v) == 127); // the largest magnitude takes the top level
        }

        Assert.DoesNotContain(q, v => v == sbyte.MinValue);
    }

    [Theory]
    [InlineData("dispatch")]
    [InlineData("scalar")]
    [InlineData("v256")]
    [InlineData("v512")]
    public void Encode_SpecialRows_ZeroTinyAndNonFiniteHaveDefinedResults(string path)
    {
        const int width = 70;
        var x = TestData.Uniform(5 * width, seed: 3);
        x.AsSpan(0, width).Clear();                                                             // row 0: zeros
        x.AsSpan(width, width).Fill(1e-37f);                                                    // row 1: below 2⁻¹¹⁹
        x[(2 * width) + 5] = float.PositiveInfinity;                                           // row 2: +∞
        x[(3 * width) + width - 1] = float.NaN;                                                // row 3: NaN in the vector tail
        x.AsSpan(4 * width, width).Fill(Int8RowCodec.SmallestScaledMagnitude);                  // row 4: exactly the threshold
        var scales = new float[5];
        var q = new sbyte[x.Length];
        var back = new float[x.Length];

        Encode(path, x, width, scales, q);
        Decode(path, q, scales, width, back);

        Assert.Equal(Int8RowCodec.SmallestScaledMagnitude, MathF.ScaleB(1f, -119));
        Assert.Equal((0f, 0f), (scales[0], scales[1]));
        Assert.All(back.AsSpan(0, 2 * width).ToArray(), v => Assert.Equal(0f, v));
        Assert.True(float.IsNaN(scales[2]) && float.IsNaN(scales[3]));
        Assert.All(back.AsSpan(2 * width, 2 * width).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(q.AsSpan(2 * width, 2 * width).ToArray(), v => Assert.Equal(0, v));
        Assert.True(float.IsNormal(scales[4]), $"scale {scales[4]:R} at the threshold must be a normal float");
        Assert.All(back.AsSpan(4 * width, width).ToArray(), v => Assert.True(Math.Abs(v - Int8RowCodec.SmallestScaledMagnitude) <= ErrorInScales * scales[4]));
    }

    [Fact]
    public void Encode_BadShapes_ThrowNamingThem()
    {
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Int8RowCodec.Encode(new float[10], 3, new float[3], new sbyte[10])).ParamName);
        Assert.Equal("scales", Assert.Throws<ArgumentException>(() => Int8RowCodec.Encode(new float[9], 3, new float[2], new sbyte[9])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Int8RowCodec.Encode(new float[9], 3, new float[3], new sbyte[8])).ParamName);
        Assert.Contains("must be positive", Assert.Throws<ArgumentException>(() => Int8RowCodec.Encode(new float[9], 0, new float[3], new sbyte[9])).Message, StringComparison.Ordinal);
        Assert.Equal("scales", Assert.Throws<ArgumentException>(() => Int8RowCodec.Decode(new sbyte[9], new float[4], 3, new float[9])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Int8RowCodec.Decode(new sbyte[9], new float[3], 3, new float[6])).ParamName);
    }

    /// <summary>The definition, one element at a time: scale = max|x| / 127, q = round-half-even(x · 127 / max), ±127.</summary>
    private static (float[] Scales, sbyte[] Q) Oracle(float[] x, int width)
    {
        var rows = x.Length / width;
        var scales = new float[rows];
        var q = new sbyte[x.Length];
        for (var r = 0; r < rows; r++)
        {
            var largest = 0f;
            for (var i = 0; i < width; i++)
            {
                largest = Math.Max(largest, Math.Abs(x[(r * width) + i]));
            }

            scales[r] = largest / 127f;
            var inverse = 127f / largest;
            for (var i = 0; i < width; i++)
            {
                var level = MathF.Round(x[(r * width) + i] * inverse, MidpointRounding.ToEven);
                q[(r * width) + i] = (sbyte)Math.Max(-127f, Math.Min(127f, level));
            }
        }

        return (scales, q);
    }

    private static void Encode(string path, float[] x, int width, float[] scales, sbyte[] q)
    {
        if (path == "dispatch")
        {
            Int8RowCodec.Encode(x, width, scales, q);
            return;
        }

        for (var r = 0; r < scales.Length; r++)
        {
            var row = x.AsSpan(r * width, width);
            var target = q.AsSpan(r * width, width);
            var (largest, finite) = path switch
            {
                "scalar" => Int8RowCodec.RangeScalar(row, 0, 0f, true),
                "v256" => Int8RowCodec.Range256(row),
                _ => Int8RowCodec.Range512(row),
            };
            if (!finite || largest < Int8RowCodec.SmallestScaledMagnitude)
            {
                target.Clear();
                scales[r] = finite ? 0f : float.NaN;
                continue;
            }

            var inverse = 127f / largest;
            switch (path)
            {
                case "scalar": Int8RowCodec.QuantizeScalar(row, inverse, target, 0); break;
                case "v256": Int8RowCodec.Quantize256(row, inverse, target); break;
                default: Int8RowCodec.Quantize512(row, inverse, target); break;
            }

            scales[r] = largest / 127f;
        }
    }

    private static void Decode(string path, sbyte[] q, float[] scales, int width, float[] destination)
    {
        if (path == "dispatch")
        {
            Int8RowCodec.Decode(q, scales, width, destination);
            return;
        }

        for (var r = 0; r < scales.Length; r++)
        {
            var row = q.AsSpan(r * width, width);
            var target = destination.AsSpan(r * width, width);
            switch (path)
            {
                case "scalar": Int8RowCodec.DequantizeScalar(row, scales[r], target, 0); break;
                case "v256": Int8RowCodec.Dequantize256(row, scales[r], target); break;
                default: Int8RowCodec.Dequantize512(row, scales[r], target); break;
            }
        }
    }
}
