using System.Runtime.InteropServices;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class TileCodecTests
{
    [Theory]
    [InlineData(LinkPrecision.Fp32, 3, 7, 84)]
    [InlineData(LinkPrecision.Bf16, 3, 7, 42)]
    [InlineData(LinkPrecision.Int8, 3, 7, 33)]      // one block of 7 per row
    [InlineData(LinkPrecision.Int8, 2, 33, 82)]     // blocks of 32 and 1
    [InlineData(LinkPrecision.Int8, 2, 64, 144)]
    [InlineData(LinkPrecision.Int8, 0, 7, 0)]
    [InlineData(LinkPrecision.Fp32, 128, 1024, 524_288)]
    [InlineData(LinkPrecision.Bf16, 128, 1024, 262_144)]
    [InlineData(LinkPrecision.Int8, 128, 1024, 147_456)]
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

    [Theory]
    [InlineData(3, 37)]
    [InlineData(2, 64)]
    [InlineData(1, 5)]
    public void Int8_Wire_IsEveryRowsBlockScalesThenTheValues(int rows, int width)
    {
        var values = TestData.Uniform(rows * width, seed: 3, scale: 4f);
        values[width - 1] = 40f; // an outlier only moves its own block's scale
        var blocks = Int8BlockCodec.BlockCount(width, TileCodec.Int8BlockSize);
        var scales = new float[rows * blocks];
        var q = new sbyte[values.Length];
        for (var r = 0; r < rows; r++)
        {
            Int8BlockCodec.Encode(values.AsSpan(r * width, width), TileCodec.Int8BlockSize, scales.AsSpan(r * blocks, blocks), q.AsSpan(r * width, width));
        }

        var wire = new byte[TileCodec.EncodedBytes(LinkPrecision.Int8, rows, width)];

        TileCodec.Encode(LinkPrecision.Int8, values, width, wire);
        var back = new float[values.Length];
        TileCodec.Decode(LinkPrecision.Int8, wire, width, back);

        Assert.Equal(scales, MemoryMarshal.Cast<byte, float>(wire.AsSpan(0, scales.Length * sizeof(float))).ToArray());
        Assert.Equal(q, MemoryMarshal.Cast<byte, sbyte>(wire.AsSpan(scales.Length * sizeof(float))).ToArray());
        for (var i = 0; i < values.Length; i++)
        {
            var block = ((i / width) * blocks) + ((i % width) / TileCodec.Int8BlockSize);
            Assert.True(Math.Abs(values[i] - back[i]) <= 0.5001 * scales[block]);
        }

        if (blocks > 1)
        {
            Assert.True(scales[0] < 4f / 127 * 1.0001, "the outlier in the row's last block changed its first block's scale");
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
