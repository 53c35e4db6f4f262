using System.Runtime.InteropServices;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The bytes of a tile of R rows × W fp32 values on a link, per <see cref="LinkPrecision"/> (little-endian):
/// <list type="bullet">
/// <item><b>fp32</b>: the R·W values as they are, <c>4·R·W</c> bytes.</item>
/// <item><b>bf16</b>: R·W bfloat16 bit patterns (<see cref="Bf16Codec"/>), <c>2·R·W</c> bytes.</item>
/// <item><b>int8</b>: R fp32 row scales, then R·W int8 values (<see cref="Int8RowCodec"/>), <c>R·(W + 4)</c> bytes.</item>
/// </list>
/// The size is linear in R, so tiles of one chunk lie back to back at offsets <c>EncodedBytes(t·tileRows)</c>.
/// </summary>
public static class TileCodec
{
    /// <summary>Bytes of <paramref name="rows"/> rows of <paramref name="width"/> values under <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined precision, negative rows, width below 1, or more bytes than one buffer holds.</exception>
    public static int EncodedBytes(LinkPrecision precision, int rows, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long bytes = precision switch
        {
            LinkPrecision.Fp32 => (long)rows * width * sizeof(float),
            LinkPrecision.Bf16 => (long)rows * width * sizeof(ushort),
            LinkPrecision.Int8 => (long)rows * (width + sizeof(float)),
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Link precisions are fp32, bf16 and int8."),
        };
        if (bytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"{rows} rows of {width} values take {bytes} bytes in {LinkPrecisionNames.Of(precision)}, more than one buffer holds.");
        }

        return (int)bytes;
    }

    /// <summary>Writes the wire form of <paramref name="values"/> (R × <paramref name="width"/>) into <paramref name="destination"/>.</summary>
    /// <param name="precision">The encoding.</param>
    /// <param name="values">R × W values, row-major.</param>
    /// <param name="width">W (≥ 1).</param>
    /// <param name="destination">Exactly <see cref="EncodedBytes"/>(precision, R, W) bytes; must not overlap <paramref name="values"/>.</param>
    public static void Encode(LinkPrecision precision, ReadOnlySpan<float> values, int width, Span<byte> destination)
    {
        var rows = SpanChecks.RowsOf(values.Length, width, nameof(values), "width");
        SpanChecks.ThrowIfLengthDiffers(EncodedBytes(precision, rows, width), destination.Length, nameof(destination), "the encoded tile");
        switch (precision)
        {
            case LinkPrecision.Fp32:
                SpanChecks.ThrowIfBytesOverlap(values, destination, nameof(values));
                MemoryMarshal.AsBytes(values).CopyTo(destination);
                break;
            case LinkPrecision.Bf16:
                Bf16Codec.Encode(values, MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            default:
                var scaleBytes = rows * sizeof(float);
                Int8RowCodec.Encode(values, width, MemoryMarshal.Cast<byte, float>(destination[..scaleBytes]), MemoryMarshal.Cast<byte, sbyte>(destination[scaleBytes..]));
                break;
        }
    }

    /// <summary>Reads the wire form in <paramref name="source"/> back into R × <paramref name="width"/> fp32 values.</summary>
    /// <param name="precision">The encoding.</param>
    /// <param name="source">Exactly <see cref="EncodedBytes"/>(precision, R, W) bytes.</param>
    /// <param name="width">W (≥ 1).</param>
    /// <param name="destination">R × W values; must not overlap <paramref name="source"/>.</param>
    public static void Decode(LinkPrecision precision, ReadOnlySpan<byte> source, int width, Span<float> destination)
    {
        var rows = SpanChecks.RowsOf(destination.Length, width, nameof(destination), "width");
        SpanChecks.ThrowIfLengthDiffers(EncodedBytes(precision, rows, width), source.Length, nameof(source), "the encoded tile");
        switch (precision)
        {
            case LinkPrecision.Fp32:
                SpanChecks.ThrowIfOverlap(source, destination, nameof(source));
                source.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case LinkPrecision.Bf16:
                Bf16Codec.Decode(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            default:
                var scaleBytes = rows * sizeof(float);
                Int8RowCodec.Decode(MemoryMarshal.Cast<byte, sbyte>(source[scaleBytes..]), MemoryMarshal.Cast<byte, float>(source[..scaleBytes]), width, destination);
                break;
        }
    }
}
