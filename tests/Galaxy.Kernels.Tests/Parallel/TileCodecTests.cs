using System.Runtime.InteropServices;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class TileCodecTests
{
    [Theory]
    [InlineData(LinkPrecision.Fp32, 3, 7, 84)]
    [InlineData(LinkPrecision.Bf16, 3, 7, 42)]
    [InlineData(LinkPrecision.Int8, 3, 7, 33)]
    [InlineData(LinkPrecision.Int8, 0, 7, 0)]
    [InlineData(LinkPrecision.Fp32, 128, 1024, 524_288)]
    [InlineData(LinkPrecision.Bf16, 128, 1024, 262_144)]
    [InlineData(LinkPrecision.Int8, 128, 1024, 131_584)]
    public void EncodedBytes_IsTheFormula(LinkPrecision precision, int rows, int width, int expected) =>
        Assert.Equal(expected, TileCodec.EncodedBytes(precision, rows, width));

    [Fact]
    public void Fp32_RoundTrip_SameBitsAsTheValues()
    {
        var values = TestData.Uniform(5 * 9, seed: 1);
        values[3] = float.NaN;
        values[4] = -0f;
        var wire = new byte[TileCodec.EncodedBytes(LinkPrecision.Fp32, 5, 9)];
        var back = new float[values.Length];

        TileCodec.Encode(LinkPrecision.Fp32, values, 9, wire);
        TileCodec.Decode(LinkPrecision.Fp32, wire, 9, back);

        Assert.Equal(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), wire);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), back.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Bf16_Wire_IsTheBf16CodecsBits()
    {
        var values = TestData.Uniform(4 * 33, seed: 2, scale: 50f);
        var wire = new byte[TileCodec.EncodedBytes(LinkPrecision.Bf16, 4, 33)];
        var expected = new ushort[values.Length];
        Bf16Codec.Encode(values, expected);

        TileCodec.Encode(LinkPrecision.Bf16, values, 33, wire);
        var back = new float[values.Length];
        TileCodec.Decode(LinkPrecision.Bf16, wire, 33, back);

        Assert.Equal(expected, MemoryMarshal.Cast<byte, ushort>(wire.AsSpan()).ToArray());
        Assert.Equal(expected.Select(b => (uint)b << 16), back.Select(BitConverter.SingleToUInt32Bits));
    }

    [Fact]
    public void Int8_Wire_IsRowScalesThenValues()
    {
        const int rows = 3;
        const int width = 37;
        var values = TestData.Uniform(rows * width, seed: 3, scale: 4f);
        var scales = new float[rows];
        var q = new sbyte[values.Length];
        Int8RowCodec.Encode(values, width, scales, q);
        var wire = new byte[TileCodec.EncodedBytes(LinkPrecision.Int8, rows, width)];

        TileCodec.Encode(LinkPrecision.Int8, values, width, wire);
        var back = new float[values.Length];
        TileCodec.Decode(LinkPrecision.Int8, wire, width, back);

        Assert.Equal(scales, MemoryMarshal.Cast<byte, float>(wire.AsSpan(0, rows * sizeof(float))).ToArray());
        Assert.Equal(q, MemoryMarshal.Cast<byte, sbyte>(wire.AsSpan(rows * sizeof(float))).ToArray());
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(values[i] - back[i]) <= 0.5001 * scales[i / width]);
        }
    }

    [Fact]
    public void Int8_UnalignedSliceOfABuffer_RoundTrips()
    {
        // Tiles of one chunk lie back to back, so a tile's scales need not be 4-byte aligned.
        var values = TestData.Uniform(2 * 5, seed: 4);
        var buffer = new byte[1 + TileCodec.EncodedBytes(LinkPrecision.Int8, 2, 5)];
        var back = new float[values.Length];

        TileCodec.Encode(LinkPrecision.Int8, values, 5, buffer.AsSpan(1));
        TileCodec.Decode(LinkPrecision.Int8, buffer.AsSpan(1), 5, back);

        Assert.True(TestData.MaxAbsDiff(values, back) <= 0.5001 / 127);
    }

    [Theory]
    [InlineData(LinkPrecision.Fp32)]
    [InlineData(LinkPrecision.Bf16)]
    [InlineData(LinkPrecision.Int8)]
    public void EncodeDecode_WrongLengths_ThrowNamingTheSpan(LinkPrecision precision)
    {
        var wire = new byte[TileCodec.EncodedBytes(precision, 2, 4)];
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => TileCodec.Encode(precision, new float[8], 4, wire.AsSpan(1))).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => TileCodec.Encode(precision, new float[7], 4, wire)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => TileCodec.Decode(precision, wire, 4, new float[12])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => TileCodec.Decode(precision, wire, 4, new float[9])).ParamName);
    }

    [Fact]
    public void UndefinedPrecision_ThrowsArgumentOutOfRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TileCodec.EncodedBytes((LinkPrecision)7, 1, 1));
        Assert.Contains("fp32, bf16 and int8", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => TileCodec.Encode((LinkPrecision)7, new float[1], 1, new byte[4]));
    }

    [Theory]
    [InlineData("fp32", LinkPrecision.Fp32)]
    [InlineData("BF16", LinkPrecision.Bf16)]
    [InlineData(" int8 ", LinkPrecision.Int8)]
    public void Names_Parse_ReadsEachName(string text, LinkPrecision expected)
    {
        Assert.Equal(expected, LinkPrecisionNames.Parse(text));
        Assert.Equal(text.Trim().ToLowerInvariant(), LinkPrecisionNames.Of(expected));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fp16")]
    [InlineData("int4")]
    [InlineData("8")]
    public void Names_ParseUnknown_FormatExceptionListingTheNames(string text)
    {
        var error = Assert.Throws<FormatException>(() => LinkPrecisionNames.Parse(text));
        Assert.Contains("fp32, bf16 or int8", error.Message, StringComparison.Ordinal);
    }
}
