using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Tests.Ops;

public sealed class Bf16CodecTests
{
    /// <summary>The vector widths the codec has; each runs on any machine (without the hardware, as software vectors).</summary>
    public static TheoryData<string, int> PathsAndSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in new[] { "dispatch", "scalar", "v256", "v512" })
        {
            foreach (var size in new[] { 1, 2, 15, 16, 31, 32, 33, 64, 1000 })
            {
                data.Add(path, size);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndSizes))]
    public void Encode_RandomAndSpecialValues_MatchesTheTruncatedBitsOracle(string path, int size)
    {
        var x = Values(size, seed: size);
        var actual = new ushort[size];

        Encode(path, x, actual);

        Assert.Equal(x.Select(Oracle).ToArray(), actual);
    }

    [Theory]
    [MemberData(nameof(PathsAndSizes))]
    public void Decode_AnyBits_IsTheUpperHalfOfAnFp32(string path, int size)
    {
        var random = new Random(size);
        var bits = Enumerable.Range(0, size).Select(_ => (ushort)random.Next(0, 1 << 16)).ToArray();
        var actual = new float[size];

        Decode(path, bits, actual);

        Assert.Equal(bits.Select(b => (uint)b << 16).ToArray(), actual.Select(BitConverter.SingleToUInt32Bits).ToArray());
    }

    [Theory]
    [InlineData(0x3F808000u, 0x3F80)] // 1 + 2⁻⁸: halfway between 1 and 1 + 2⁻⁷, ties to the even 1
    [InlineData(0x3F818000u, 0x3F82)] // 1 + 3·2⁻⁸: halfway, ties up to the even 1 + 2⁻⁶
    [InlineData(0x3F808001u, 0x3F81)] // just above halfway: up
    [InlineData(0x3F807FFFu, 0x3F80)] // just below halfway: down
    [InlineData(0x00000001u, 0x0000)] // smallest subnormal: rounds to +0
    [InlineData(0x00008000u, 0x0000)] // subnormal tie, even: +0
    [InlineData(0x00018000u, 0x0002)] // subnormal tie, odd: up
    [InlineData(0x007FFFFFu, 0x0080)] // largest subnormal rounds up to the smallest normal
    [InlineData(0x7F7FFFFFu, 0x7F80)] // largest finite float: past the largest bf16, +∞
    [InlineData(0xFF7FFFFFu, 0xFF80)] // and −∞
    [InlineData(0x7F800000u, 0x7F80)] // +∞
    [InlineData(0xFF800000u, 0xFF80)] // −∞
    [InlineData(0x80000000u, 0x8000)] // −0
    [InlineData(0x7FC00000u, 0x7FC0)] // quiet NaN
    [InlineData(0x7F800001u, 0x7FC0)] // signalling NaN with a low payload: quiet, not ∞
    [InlineData(0xFF812345u, 0xFFC1)] // negative NaN keeps sign and upper payload
    public void Encode_Edges_RoundToNearestEvenAndKeepNaN(uint bits, int expected)
    {
        var x = new[] { BitConverter.UInt32BitsToSingle(bits) };
        foreach (var path in new[] { "dispatch", "scalar", "v256", "v512" })
        {
            // Pad to a vector's worth so the vector loops see the value too, not only the scalar tail.
            var padded = Enumerable.Repeat(x[0], 64).ToArray();
            var actual = new ushort[padded.Length];
            Encode(path, padded, actual);
            Assert.All(actual, a => Assert.Equal((ushort)expected, a));
        }
    }

    [Fact]
    public void RoundTrip_FiniteValues_WithinHalfABf16Ulp()
    {
        var x = TestData.Uniform(4096, seed: 5, scale: 1000f);
        var encoded = new ushort[x.Length];
        var decoded = new float[x.Length];

        Bf16Codec.Encode(x, encoded);
        Bf16Codec.Decode(encoded, decoded);

        for (var i = 0; i < x.Length; i++)
        {
            // 7 stored mantissa bits: half an ulp is 2^(exponent − 8) ≤ |x|·2⁻⁸.
            Assert.True(Math.Abs((double)x[i] - decoded[i]) <= Math.Abs((double)x[i]) * Math.Pow(2, -8), $"x[{i}] = {x[i]:R} → {decoded[i]:R}");
        }
    }

    [Fact]
    public void Encode_BadSpans_ThrowNamingThem()
    {
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Bf16Codec.Encode(new float[3], new ushort[2])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Bf16Codec.Decode(new ushort[3], new float[4])).ParamName);
        var shared = new float[4];
        var error = Assert.Throws<ArgumentException>(() => Bf16Codec.Encode(shared, System.Runtime.InteropServices.MemoryMarshal.Cast<float, ushort>(shared.AsSpan())[..4]));
        Assert.Contains("overlaps x", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Round to nearest even on the 16 truncated bits, written from the definition (not the bias trick).</summary>
    private static ushort Oracle(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var upper = bits >> 16;
        if (float.IsNaN(value))
        {
            return (ushort)(upper | 0x40);
        }

        var lower = bits & 0xFFFF;
        if (lower > 0x8000 || (lower == 0x8000 && (upper & 1) == 1))
        {
            upper++;
        }

        return (ushort)upper;
    }

    /// <summary>Uniform values of mixed magnitude with specials (±0, ±∞, NaN, subnormals, ties) at seeded places.</summary>
    private static float[] Values(int size, int seed)
    {
        var random = new Random(seed);
        float[] specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -1e-40f, float.MaxValue, BitConverter.UInt32BitsToSingle(0x3F808000u)];
        return Enumerable.Range(0, size).Select(_ => random.Next(5) == 0
            ? specials[random.Next(specials.Length)]
            : (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 6)))).ToArray();
    }

    private static void Encode(string path, float[] x, ushort[] destination)
    {
        switch (path)
        {
            case "dispatch": Bf16Codec.Encode(x, destination); break;
            case "scalar": Bf16Codec.EncodeScalar(x, destination, 0); break;
            case "v256": Bf16Codec.Encode256(x, destination, 0); break;
            default: Bf16Codec.Encode512(x, destination); break;
        }
    }

    private static void Decode(string path, ushort[] x, float[] destination)
    {
        switch (path)
        {
            case "dispatch": Bf16Codec.Decode(x, destination); break;
            case "scalar": Bf16Codec.DecodeScalar(x, destination, 0); break;
            case "v256": Bf16Codec.Decode256(x, destination, 0); break;
            default: Bf16Codec.Decode512(x, destination); break;
        }
    }
}
