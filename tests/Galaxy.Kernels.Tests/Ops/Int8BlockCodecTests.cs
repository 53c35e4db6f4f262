using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class Int8BlockCodecTests
{
    // |x − q·s| ≤ s/2 from rounding to the nearest level, plus fp32 rounding of 127/max, x·(127/max) and q·s:
    // a few ulps of values up to 127·s, i.e. below s·10⁻⁴.
    private const double ErrorInScales = 0.5 + 1e-4;

    private static readonly string[] Paths = ["dispatch", "scalar", "v256", "v512"];

    /// <summary>Each vector width (run without the hardware as software vectors) × lengths around the vector and block sizes.</summary>
    public static TheoryData<string, int, int> PathsAndShapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var path in Paths)
        {
            foreach (var (length, block) in new[] { (1, 1), (2, 2), (31, 32), (32, 32), (33, 32), (64, 32), (65, 32), (100, 7), (200, 64), (1024, 32), (384, 384), (2048, 1024) })
            {
                data.Add(path, length, block);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndShapes))]
    public void Encode_RandomValues_MatchesTheNaiveScalarOracleBitForBit(string path, int length, int blockSize)
    {
        var x = TestData.Uniform(length, seed: length + blockSize, scale: 3f);
        var (expectedScales, expectedQ) = Oracle(x, blockSize);
        var scales = new float[Int8BlockCodec.BlockCount(length, blockSize)];
        var q = new sbyte[length];

        Encode(path, x, blockSize, scales, q);

        Assert.Equal(expectedScales.Select(BitConverter.SingleToInt32Bits), scales.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expectedQ, q);
    }

    [Theory]
    [MemberData(nameof(PathsAndShapes))]
    public void RoundTrip_RandomValues_ErrorAtMostHalfABlocksScale(string path, int length, int blockSize)
    {
        // Blocks of very different magnitudes: the scale is per block.
        var x = TestData.Uniform(length, seed: 7 + length);
        for (var i = 0; i < length; i++)
        {
            x[i] *= MathF.Pow(10, ((i / blockSize) % 5) - 2);
        }

        var blocks = Int8BlockCodec.BlockCount(length, blockSize);
        var scales = new float[blocks];
        var q = new sbyte[length];
        var back = new float[length];

        Encode(path, x, blockSize, scales, q);
        Decode(path, q, scales, blockSize, back);

        for (var i = 0; i < length; i++)
        {
            var scale = scales[i / blockSize];
            Assert.True(Math.Abs((double)x[i] - back[i]) <= ErrorInScales * scale, $"element {i}: {x[i]:R} → {back[i]:R}, scale {scale:R}");
        }

        for (var b = 0; b < blocks; b++)
        {
            Assert.Contains(q.Skip(b * blockSize).Take(blockSize), v => Math.Abs((int)v) == 127); // the largest magnitude takes the top level
        }

        Assert.DoesNotContain(q, v => v == sbyte.MinValue);
    }

    [Theory]
    [InlineData("dispatch")]
    [InlineData("scalar")]
    [InlineData("v256")]
    [InlineData("v512")]
    public void Encode_SpecialBlocks_ZeroTinyAndNonFiniteHaveDefinedResults(string path)
    {
        const int block = 70;
        var x = TestData.Uniform(5 * block, seed: 3);
        x.AsSpan(0, block).Clear();                                                       // block 0: zeros
        x.AsSpan(block, block).Fill(1e-37f);                                              // block 1: below 2⁻¹¹⁹
        x[(2 * block) + 5] = float.PositiveInfinity;                                     // block 2: +∞ in a vector
        x[(3 * block) + block - 1] = float.NaN;                                          // block 3: NaN in the scalar tail
        x.AsSpan(4 * block, block).Fill(Int8BlockCodec.SmallestScaledMagnitude);          // block 4: exactly the threshold
        var scales = new float[5];
        var q = new sbyte[x.Length];
        var back = new float[x.Length];

        Encode(path, x, block, scales, q);
        Decode(path, q, scales, block, back);

        Assert.Equal(Int8BlockCodec.SmallestScaledMagnitude, MathF.ScaleB(1f, -119));
        Assert.Equal((0f, 0f), (scales[0], scales[1]));
        Assert.All(back.AsSpan(0, 2 * block).ToArray(), v => Assert.Equal(0f, v));
        Assert.True(float.IsNaN(scales[2]) && float.IsNaN(scales[3]));
        Assert.All(back.AsSpan(2 * block, 2 * block).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(q.AsSpan(2 * block, 2 * block).ToArray(), v => Assert.Equal(0, v));
        Assert.True(float.IsNormal(scales[4]), $"scale {scales[4]:R} at the threshold must be a normal float");
        Assert.All(back.AsSpan(4 * block, block).ToArray(), v => Assert.True(Math.Abs(v - Int8BlockCodec.SmallestScaledMagnitude) <= ErrorInScales * scales[4]));
    }

    [Fact]
    public void Encode_BadShapes_ThrowNamingThem()
    {
        Assert.Equal("scales", Assert.Throws<ArgumentException>(() => Int8BlockCodec.Encode(new float[10], 3, new float[3], new sbyte[10])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Int8BlockCodec.Encode(new float[9], 3, new float[3], new sbyte[8])).ParamName);
        Assert.Equal("blockSize", Assert.Throws<ArgumentOutOfRangeException>(() => Int8BlockCodec.Encode(new float[9], 0, new float[3], new sbyte[9])).ParamName);
        Assert.Equal("scales", Assert.Throws<ArgumentException>(() => Int8BlockCodec.Decode(new sbyte[9], new float[4], 3, new float[9])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Int8BlockCodec.Decode(new sbyte[9], new float[3], 3, new float[6])).ParamName);
        var shared = new float[8];
        Assert.Contains("overlaps x", Assert.Throws<ArgumentException>(() => Int8BlockCodec.Encode(shared.AsSpan(0, 4), 4, shared.AsSpan(3, 1), new sbyte[4])).Message, StringComparison.Ordinal);
    }

    /// <summary>The definition, one element at a time: scale = max|x| / 127, q = round-half-even(x · 127 / max), ±127.</summary>
    private static (float[] Scales, sbyte[] Q) Oracle(float[] x, int blockSize)
    {
        var blocks = (x.Length + blockSize - 1) / blockSize;
        var scales = new float[blocks];
        var q = new sbyte[x.Length];
        for (var b = 0; b < blocks; b++)
        {
            var end = Math.Min(x.Length, (b + 1) * blockSize);
            var largest = 0f;
            for (var i = b * blockSize; i < end; i++)
            {
                largest = Math.Max(largest, Math.Abs(x[i]));
            }

            scales[b] = largest / 127f;
            var inverse = 127f / largest;
            for (var i = b * blockSize; i < end; i++)
            {
                var level = MathF.Round(x[i] * inverse, MidpointRounding.ToEven);
                q[i] = (sbyte)Math.Max(-127f, Math.Min(127f, level));
            }
        }

        return (scales, q);
    }

    /// <summary>Encodes block by block through one path's range and quantization (the dispatching entry point for "dispatch").</summary>
    private static void Encode(string path, float[] x, int blockSize, float[] scales, sbyte[] q)
    {
        if (path == "dispatch")
        {
            Int8BlockCodec.Encode(x, blockSize, scales, q);
            return;
        }

        for (var b = 0; b < scales.Length; b++)
        {
            var start = b * blockSize;
            var block = x.AsSpan(start, Math.Min(blockSize, x.Length - start));
            var target = q.AsSpan(start, block.Length);
            var (largest, finite) = path switch
            {
                "scalar" => Int8BlockCodec.RangeScalar(block, 0, 0f, true),
                "v256" => Int8BlockCodec.Range256(block, 0, 0f, true),
                _ => Int8BlockCodec.Range512(block),
            };
            if (!finite || largest < Int8BlockCodec.SmallestScaledMagnitude)
            {
                target.Clear();
                scales[b] = finite ? 0f : float.NaN;
                continue;
            }

            var inverse = 127f / largest;
            switch (path)
            {
                case "scalar": Int8BlockCodec.QuantizeScalar(block, inverse, target, 0); break;
                case "v256": Int8BlockCodec.Quantize256(block, inverse, target, 0); break;
                default: Int8BlockCodec.Quantize512(block, inverse, target); break;
            }

            scales[b] = largest / 127f;
        }
    }

    private static void Decode(string path, sbyte[] q, float[] scales, int blockSize, float[] destination)
    {
        if (path == "dispatch")
        {
            Int8BlockCodec.Decode(q, scales, blockSize, destination);
            return;
        }

        for (var b = 0; b < scales.Length; b++)
        {
            var start = b * blockSize;
            var block = q.AsSpan(start, Math.Min(blockSize, q.Length - start));
            var target = destination.AsSpan(start, block.Length);
            switch (path)
            {
                case "scalar": Int8BlockCodec.DequantizeScalar(block, scales[b], target, 0); break;
                case "v256": Int8BlockCodec.Dequantize256(block, scales[b], target, 0); break;
                default: Int8BlockCodec.Dequantize512(block, scales[b], target); break;
            }
        }
    }
}
