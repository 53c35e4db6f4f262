using System.Runtime.InteropServices;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The bytes of a tile of R rows × W fp32 values on a link, per <see cref="LinkPrecision"/> (little-endian):
/// <list type="bullet">
/// <item><b>fp32</b>: the R·W values as they are, <c>4·R·W</c> bytes.</item>
/// <item><b>bf16</b>: R·W bfloat16 bit patterns (<see cref="Bf16Codec"/>), <c>2·R·W</c> bytes.</item>
/// <item><b>int8</b>: blocks of <see cref="Int8BlockSize"/> values within each row (the last block of a row may be
/// shorter), each with an fp32 scale (<see cref="Int8BlockCodec"/>): first the R·K scales (K = ceil(W / 32) per
/// row, row by row), then the R·W int8 values; <c>R·(W + 4·K)</c> bytes.</item>
/// </list>
/// The size is linear in R, so tiles of one chunk lie back to back at offsets <c>EncodedBytes(t·tileRows)</c>.
/// </summary>
public static class TileCodec
{
    /// <summary>
    /// Values per int8 block. Measured on all-MiniLM-L6-v2 split over 3 devices (cosine of sentence embeddings to
    /// the single device): one scale per row of 384 gave 0.9974, blocks of 128 0.9989, 64 0.9993, 32 0.99975 —
    /// the few outlier dimensions of BERT activations otherwise set the scale of every value in their row.
    /// </summary>
    public const int Int8BlockSize = 32;

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
            LinkPrecision.Int8 => (long)rows * (width + (sizeof(float) * (long)Int8BlockCodec.BlockCount(width, Int8BlockSize))),
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
                var blocks = Int8BlockCodec.BlockCount(width, Int8BlockSize);
                var scales = MemoryMarshal.Cast<byte, float>(destination[..(rows * blocks * sizeof(float))]);
                var levels = MemoryMarshal.Cast<byte, sbyte>(destination[(rows * blocks * sizeof(float))..]);
                for (var r = 0; r < rows; r++)
                {
                    Int8BlockCodec.Encode(values.Slice(r * width, width), Int8BlockSize, scales.Slice(r * blocks, blocks), levels.Slice(r * width, width));
                }

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
                var blocks = Int8BlockCodec.BlockCount(width, Int8BlockSize);
                var scales = MemoryMarshal.Cast<byte, float>(source[..(rows * blocks * sizeof(float))]);
                var levels = MemoryMarshal.Cast<byte, sbyte>(source[(rows * blocks * sizeof(float))..]);
                for (var r = 0; r < rows; r++)
                {
                    Int8BlockCodec.Decode(levels.Slice(r * width, width), scales.Slice(r * blocks, blocks), Int8BlockSize, destination.Slice(r * width, width));
                }

                break;
        }
    }
}
