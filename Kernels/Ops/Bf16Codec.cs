using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// bfloat16: the upper 16 bits of an fp32 value (sign, the same 8-bit exponent, 7 of the 23 mantissa bits). Half
/// the bytes of fp32 over the same range, about 3 significant decimal digits; Galaxy uses it to put tiles on slow
/// links (<c>LinkPrecision.Bf16</c>).
/// </summary>
/// <remarks>
/// Vectorized with <see cref="Vector512"/> or <see cref="Vector256"/> where the hardware has them, scalar
/// otherwise; every path gives the same bits.
/// </remarks>
public static class Bf16Codec
{
    private const uint RoundingBias = 0x7FFF;
    private const uint QuietBit = 0x0040;

    /// <summary>
    /// <c>destination[i] = bf16(x[i])</c>, rounded to nearest, ties to even:
    /// <c>(bits + 0x7FFF + ((bits &gt;&gt; 16) &amp; 1)) &gt;&gt; 16</c> of the value's bits. Finite values that round past
    /// the largest bf16 become ±∞, subnormals round like any other value, ±∞ and ±0 keep their bits; a NaN stays
    /// a NaN with its sign and upper payload bits and the quiet bit (0x0040) set.
    /// </summary>
    /// <param name="x">fp32 values.</param>
    /// <param name="destination">As many bf16 bit patterns; must not overlap <paramref name="x"/>.</param>
    public static void Encode(ReadOnlySpan<float> x, Span<ushort> destination)
    {
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfBytesOverlap(x, destination, nameof(x));
        if (Vector512.IsHardwareAccelerated)
        {
            Encode512(x, destination);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Encode256(x, destination, 0);
        }
        else
        {
            EncodeScalar(x, destination, 0);
        }
    }

    /// <summary><c>destination[i] = x[i] as fp32</c>: the bf16 bits shifted into the upper half (exact).</summary>
    /// <param name="x">bf16 bit patterns.</param>
    /// <param name="destination">As many fp32 values; must not overlap <paramref name="x"/>.</param>
    public static void Decode(ReadOnlySpan<ushort> x, Span<float> destination)
    {
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfOverlap(x, destination, nameof(x));
        if (Vector512.IsHardwareAccelerated)
        {
            Decode512(x, destination);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Decode256(x, destination, 0);
        }
        else
        {
            DecodeScalar(x, destination, 0);
        }
    }

    /// <summary>One value, the scalar expression every vector path matches.</summary>
    internal static ushort Encode(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        return float.IsNaN(value)
            ? (ushort)((bits >> 16) | QuietBit)
            : (ushort)((bits + RoundingBias + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>The <see cref="Vector512"/> path, 32 values per step, the tail by <see cref="Encode256"/>; callers check the hardware.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Encode512(ReadOnlySpan<float> x, Span<ushort> destination)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector512<float>.Count;
        var i = 0;
        for (; i <= x.Length - (2 * step); i += 2 * step)
        {
            var low = Round(Vector512.LoadUnsafe(ref source, (nuint)i));
            var high = Round(Vector512.LoadUnsafe(ref source, (nuint)(i + step)));
            Vector512.Narrow(low, high).StoreUnsafe(ref target, (nuint)i);
        }

        Encode256(x, destination, i);

        static Vector512<uint> Round(Vector512<float> value)
        {
            var bits = value.AsUInt32();
            var rounded = (bits + Vector512.Create(RoundingBias) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
            var quiet = (bits >> 16) | Vector512.Create(QuietBit);
            return Vector512.ConditionalSelect(Vector512.Equals(value, value).AsUInt32(), rounded, quiet);
        }
    }

    /// <summary>The <see cref="Vector256"/> path from element <paramref name="start"/> on, 16 values per step, the tail scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Encode256(ReadOnlySpan<float> x, Span<ushort> destination, int start)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector256<float>.Count;
        var i = start;
        for (; i <= x.Length - (2 * step); i += 2 * step)
        {
            var low = Round(Vector256.LoadUnsafe(ref source, (nuint)i));
            var high = Round(Vector256.LoadUnsafe(ref source, (nuint)(i + step)));
            Vector256.Narrow(low, high).StoreUnsafe(ref target, (nuint)i);
        }

        EncodeScalar(x, destination, i);

        static Vector256<uint> Round(Vector256<float> value)
        {
            var bits = value.AsUInt32();
            var rounded = (bits + Vector256.Create(RoundingBias) + ((bits >> 16) & Vector256<uint>.One)) >> 16;
            var quiet = (bits >> 16) | Vector256.Create(QuietBit);
            return Vector256.ConditionalSelect(Vector256.Equals(value, value).AsUInt32(), rounded, quiet);
        }
    }

    /// <summary>The scalar path from element <paramref name="start"/> on.</summary>
    internal static void EncodeScalar(ReadOnlySpan<float> x, Span<ushort> destination, int start)
    {
        for (var i = start; i < x.Length; i++)
        {
            destination[i] = Encode(x[i]);
        }
    }

    /// <summary>The <see cref="Vector512"/> path of <see cref="Decode(ReadOnlySpan{ushort}, Span{float})"/>, the tail by <see cref="Decode256"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Decode512(ReadOnlySpan<ushort> x, Span<float> destination)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector512<ushort>.Count;
        var i = 0;
        for (; i <= x.Length - step; i += step)
        {
            var (low, high) = Vector512.Widen(Vector512.LoadUnsafe(ref source, (nuint)i));
            (low << 16).AsSingle().StoreUnsafe(ref target, (nuint)i);
            (high << 16).AsSingle().StoreUnsafe(ref target, (nuint)(i + (step / 2)));
        }

        Decode256(x, destination, i);
    }

    /// <summary>The <see cref="Vector256"/> path of <see cref="Decode(ReadOnlySpan{ushort}, Span{float})"/> from element <paramref name="start"/> on, the tail scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Decode256(ReadOnlySpan<ushort> x, Span<float> destination, int start)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector256<ushort>.Count;
        var i = start;
        for (; i <= x.Length - step; i += step)
        {
            var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)i));
            (low << 16).AsSingle().StoreUnsafe(ref target, (nuint)i);
            (high << 16).AsSingle().StoreUnsafe(ref target, (nuint)(i + (step / 2)));
        }

        DecodeScalar(x, destination, i);
    }

    /// <summary>The scalar path from element <paramref name="start"/> on.</summary>
    internal static void DecodeScalar(ReadOnlySpan<ushort> x, Span<float> destination, int start)
    {
        for (var i = start; i < x.Length; i++)
        {
            destination[i] = BitConverter.UInt32BitsToSingle((uint)x[i] << 16);
        }
    }
}
