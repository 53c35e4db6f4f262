using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Symmetric 8-bit quantization in blocks: values are cut into blocks of B (the last one may be shorter), and block
/// b is sent as one fp32 scale <c>s_b = max_i |x_bi| / 127</c> and its values <c>q_bi = round(x_bi · 127 / max_i |x_bi|)</c>
/// in −127…127; it comes back as <c>q_bi · s_b</c>. About a quarter of fp32's bytes; Galaxy uses it to put tiles on
/// slow links (<c>LinkPrecision.Int8</c>, blocks of 32 values within each row).
/// </summary>
/// <remarks>
/// <para>Error: <c>|x − q·s| ≤ s/2</c> per element, up to fp32 rounding of the scale and the products
/// (below <c>s·10⁻⁴</c>). Rounding is to nearest, ties to even (<see cref="MathF.Round(float)"/>). Small blocks keep
/// a few large values (the outlier dimensions of Transformer activations) from coarsening all the others.</para>
/// <para>Special blocks: an all-zero block has scale 0. A block whose largest magnitude is below
/// <see cref="SmallestScaledMagnitude"/> (2⁻¹¹⁹ ≈ 1.5·10⁻³⁶, where 127 / max would overflow or the scale would be
/// subnormal) is sent as zeros with scale 0. A block holding a NaN or ±∞ is sent with scale NaN and all q = 0, so
/// it decodes to NaN in every element: the damage stays visible (as it would after the next LayerNorm in fp32) and
/// no peer waits for a tile that an exception would have stopped.</para>
/// <para>Vectorized with <see cref="Vector512"/> or <see cref="Vector256"/> where the hardware has them (each width
/// hands its tail to the next narrower one), scalar otherwise; every path gives the same bits.</para>
/// </remarks>
public static class Int8BlockCodec
{
    /// <summary>Blocks whose largest magnitude is below this (2⁻¹¹⁹) are sent as zeros.</summary>
    public const float SmallestScaledMagnitude = 1.504632769052528E-36f;

    private const float Levels = 127f;

    /// <summary>Blocks of <paramref name="blockSize"/> in <paramref name="length"/> values: <c>ceil(length / blockSize)</c>.</summary>
    public static int BlockCount(int length, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        return (int)(((long)length + blockSize - 1) / blockSize);
    }

    /// <summary>
    /// Quantizes <paramref name="x"/> block by block: <c>scales[b] = max |x_b·| / 127</c>,
    /// <c>destination[i] = round(x[i] / scales[i / blockSize])</c>.
    /// </summary>
    /// <param name="x">Values; block b is <c>[b·B, min((b+1)·B, length))</c>.</param>
    /// <param name="blockSize">B, values per block (≥ 1).</param>
    /// <param name="scales"><see cref="BlockCount"/> scales, one per block.</param>
    /// <param name="destination">As many quantized values as <paramref name="x"/> has, in −127…127; must not overlap <paramref name="x"/>.</param>
    public static void Encode(ReadOnlySpan<float> x, int blockSize, Span<float> scales, Span<sbyte> destination)
    {
        var blocks = BlockCount(x.Length, blockSize);
        SpanChecks.ThrowIfLengthDiffers(blocks, scales.Length, nameof(scales), "the number of blocks");
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfBytesOverlap(x, destination, nameof(x));
        SpanChecks.ThrowIfOverlap(x, scales, nameof(x));
        for (var b = 0; b < blocks; b++)
        {
            var start = b * blockSize;
            var length = Math.Min(blockSize, x.Length - start);
            scales[b] = EncodeBlock(x.Slice(start, length), destination.Slice(start, length));
        }
    }

    /// <summary>Restores blocks: <c>destination[i] = q[i] · scales[i / blockSize]</c>.</summary>
    /// <param name="q">Quantized values.</param>
    /// <param name="scales"><see cref="BlockCount"/> scales.</param>
    /// <param name="blockSize">B, values per block (≥ 1).</param>
    /// <param name="destination">As many values as <paramref name="q"/> has; must not overlap the inputs.</param>
    public static void Decode(ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, int blockSize, Span<float> destination)
    {
        var blocks = BlockCount(q.Length, blockSize);
        SpanChecks.ThrowIfLengthDiffers(blocks, scales.Length, nameof(scales), "the number of blocks");
        SpanChecks.ThrowIfLengthDiffers(q.Length, destination.Length, nameof(destination), nameof(q));
        SpanChecks.ThrowIfOverlap(q, destination, nameof(q));
        SpanChecks.ThrowIfOverlap(scales, destination, nameof(scales));
        for (var b = 0; b < blocks; b++)
        {
            var start = b * blockSize;
            var length = Math.Min(blockSize, q.Length - start);
            DecodeBlock(q.Slice(start, length), scales[b], destination.Slice(start, length));
        }
    }

    /// <summary>One block: returns its scale and writes its quantized values.</summary>
    internal static float EncodeBlock(ReadOnlySpan<float> block, Span<sbyte> destination)
    {
        var (largest, finite) = Vector512.IsHardwareAccelerated ? Range512(block)
            : Vector256.IsHardwareAccelerated ? Range256(block, 0, 0f, true)
            : RangeScalar(block, 0, 0f, true);
        if (!finite || largest < SmallestScaledMagnitude)
        {
            destination.Clear();
            return finite ? 0f : float.NaN;
        }

        var inverse = Levels / largest;
        if (Vector512.IsHardwareAccelerated)
        {
            Quantize512(block, inverse, destination);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Quantize256(block, inverse, destination, 0);
        }
        else
        {
            QuantizeScalar(block, inverse, destination, 0);
        }

        return largest / Levels;
    }

    /// <summary>One block: <c>destination[i] = q[i] · scale</c>.</summary>
    internal static void DecodeBlock(ReadOnlySpan<sbyte> q, float scale, Span<float> destination)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Dequantize512(q, scale, destination);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Dequantize256(q, scale, destination, 0);
        }
        else
        {
            DequantizeScalar(q, scale, destination, 0);
        }
    }

    /// <summary>One value, the scalar expression every vector path matches: <c>round(x · inverse)</c> clamped to ±127.</summary>
    internal static sbyte Quantize(float value, float inverse) => (sbyte)Math.Clamp(MathF.Round(value * inverse), -Levels, Levels);

    /// <summary>Largest magnitude of the block and whether every element is finite: 16 lanes at a time, the tail by <see cref="Range256"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Largest, bool Finite) Range512(ReadOnlySpan<float> block)
    {
        ref var source = ref MemoryMarshal.GetReference(block);
        var step = Vector512<float>.Count;
        var largest = Vector512<float>.Zero;
        var finite = Vector512<uint>.AllBitsSet;
        var infinity = Vector512.Create(float.PositiveInfinity);
        var i = 0;
        for (; i <= block.Length - step; i += step)
        {
            var magnitude = Vector512.Abs(Vector512.LoadUnsafe(ref source, (nuint)i));
            largest = Vector512.MaxNative(largest, magnitude);
            finite &= Vector512.LessThan(magnitude, infinity).AsUInt32();
        }

        return Range256(block, i, MaxAcross(Vector256.MaxNative(largest.GetLower(), largest.GetUpper())), finite == Vector512<uint>.AllBitsSet);
    }

    /// <summary>The range from element <paramref name="start"/> on, 8 lanes at a time, continuing from <paramref name="largest"/> and <paramref name="finite"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Largest, bool Finite) Range256(ReadOnlySpan<float> block, int start, float largest, bool finite)
    {
        ref var source = ref MemoryMarshal.GetReference(block);
        var step = Vector256<float>.Count;
        var most = Vector256<float>.Zero;
        var allFinite = Vector256<uint>.AllBitsSet;
        var infinity = Vector256.Create(float.PositiveInfinity);
        var i = start;
        for (; i <= block.Length - step; i += step)
        {
            var magnitude = Vector256.Abs(Vector256.LoadUnsafe(ref source, (nuint)i));
            most = Vector256.MaxNative(most, magnitude);
            allFinite &= Vector256.LessThan(magnitude, infinity).AsUInt32();
        }

        return RangeScalar(block, i, Math.Max(largest, MaxAcross(most)), finite && allFinite == Vector256<uint>.AllBitsSet);
    }

    /// <summary>The scalar range from element <paramref name="start"/> on, continuing from <paramref name="largest"/> and <paramref name="finite"/>.</summary>
    internal static (float Largest, bool Finite) RangeScalar(ReadOnlySpan<float> block, int start, float largest, bool finite)
    {
        for (var i = start; i < block.Length; i++)
        {
            var magnitude = Math.Abs(block[i]);
            finite &= magnitude < float.PositiveInfinity;
            largest = Math.Max(largest, magnitude);
        }

        return (largest, finite);
    }

    /// <summary>Quantization 64 values per step (four float vectors narrowed into one of bytes), the tail by <see cref="Quantize256"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Quantize512(ReadOnlySpan<float> block, float inverse, Span<sbyte> destination)
    {
        ref var source = ref MemoryMarshal.GetReference(block);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector512<float>.Count;
        var scale = Vector512.Create(inverse);
        var i = 0;
        for (; i <= block.Length - (4 * step); i += 4 * step)
        {
            var a = Level(Vector512.LoadUnsafe(ref source, (nuint)i), scale);
            var b = Level(Vector512.LoadUnsafe(ref source, (nuint)(i + step)), scale);
            var c = Level(Vector512.LoadUnsafe(ref source, (nuint)(i + (2 * step))), scale);
            var d = Level(Vector512.LoadUnsafe(ref source, (nuint)(i + (3 * step))), scale);
            Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(c, d)).StoreUnsafe(ref target, (nuint)i);
        }

        Quantize256(block, inverse, destination, i);

        static Vector512<int> Level(Vector512<float> value, Vector512<float> scale) =>
            Vector512.ConvertToInt32(Vector512.Clamp(Vector512.Round(value * scale), Vector512.Create(-Levels), Vector512.Create(Levels)));
    }

    /// <summary>Quantization from element <paramref name="start"/> on, 32 values per step, then 8, then scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Quantize256(ReadOnlySpan<float> block, float inverse, Span<sbyte> destination, int start)
    {
        ref var source = ref MemoryMarshal.GetReference(block);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector256<float>.Count;
        var scale = Vector256.Create(inverse);
        var i = start;
        for (; i <= block.Length - (4 * step); i += 4 * step)
        {
            var a = Level(Vector256.LoadUnsafe(ref source, (nuint)i), scale);
            var b = Level(Vector256.LoadUnsafe(ref source, (nuint)(i + step)), scale);
            var c = Level(Vector256.LoadUnsafe(ref source, (nuint)(i + (2 * step))), scale);
            var d = Level(Vector256.LoadUnsafe(ref source, (nuint)(i + (3 * step))), scale);
            Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d)).StoreUnsafe(ref target, (nuint)i);
        }

        for (; i <= block.Length - step; i += step)
        {
            var levels = Vector256.Narrow(Vector256.Narrow(Level(Vector256.LoadUnsafe(ref source, (nuint)i), scale), Vector256<int>.Zero), Vector256<short>.Zero);
            levels.GetLower().GetLower().StoreUnsafe(ref target, (nuint)i);
        }

        QuantizeScalar(block, inverse, destination, i);

        static Vector256<int> Level(Vector256<float> value, Vector256<float> scale) =>
            Vector256.ConvertToInt32(Vector256.Clamp(Vector256.Round(value * scale), Vector256.Create(-Levels), Vector256.Create(Levels)));
    }

    /// <summary>The scalar quantization from element <paramref name="start"/> on.</summary>
    internal static void QuantizeScalar(ReadOnlySpan<float> block, float inverse, Span<sbyte> destination, int start)
    {
        for (var i = start; i < block.Length; i++)
        {
            destination[i] = Quantize(block[i], inverse);
        }
    }

    /// <summary>Dequantization 64 bytes per step (widened to four float vectors), the tail by <see cref="Dequantize256"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Dequantize512(ReadOnlySpan<sbyte> q, float scale, Span<float> destination)
    {
        ref var source = ref MemoryMarshal.GetReference(q);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector512<sbyte>.Count;
        var quarter = step / 4;
        var factor = Vector512.Create(scale);
        var i = 0;
        for (; i <= q.Length - step; i += step)
        {
            var (low, high) = Vector512.Widen(Vector512.LoadUnsafe(ref source, (nuint)i));
            var (a, b) = Vector512.Widen(low);
            var (c, d) = Vector512.Widen(high);
            (Vector512.ConvertToSingle(a) * factor).StoreUnsafe(ref target, (nuint)i);
            (Vector512.ConvertToSingle(b) * factor).StoreUnsafe(ref target, (nuint)(i + quarter));
            (Vector512.ConvertToSingle(c) * factor).StoreUnsafe(ref target, (nuint)(i + (2 * quarter)));
            (Vector512.ConvertToSingle(d) * factor).StoreUnsafe(ref target, (nuint)(i + (3 * quarter)));
        }

        Dequantize256(q, scale, destination, i);
    }

    /// <summary>Dequantization from element <paramref name="start"/> on, 32 bytes per step, then scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Dequantize256(ReadOnlySpan<sbyte> q, float scale, Span<float> destination, int start)
    {
        ref var source = ref MemoryMarshal.GetReference(q);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector256<sbyte>.Count;
        var quarter = step / 4;
        var factor = Vector256.Create(scale);
        var i = start;
        for (; i <= q.Length - step; i += step)
        {
            var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)i));
            var (a, b) = Vector256.Widen(low);
            var (c, d) = Vector256.Widen(high);
            (Vector256.ConvertToSingle(a) * factor).StoreUnsafe(ref target, (nuint)i);
            (Vector256.ConvertToSingle(b) * factor).StoreUnsafe(ref target, (nuint)(i + quarter));
            (Vector256.ConvertToSingle(c) * factor).StoreUnsafe(ref target, (nuint)(i + (2 * quarter)));
            (Vector256.ConvertToSingle(d) * factor).StoreUnsafe(ref target, (nuint)(i + (3 * quarter)));
        }

        DequantizeScalar(q, scale, destination, i);
    }

    /// <summary>The scalar dequantization from element <paramref name="start"/> on.</summary>
    internal static void DequantizeScalar(ReadOnlySpan<sbyte> q, float scale, Span<float> destination, int start)
    {
        for (var i = start; i < q.Length; i++)
        {
            destination[i] = q[i] * scale;
        }
    }

    /// <summary>The largest of the 8 lanes.</summary>
    private static float MaxAcross(Vector256<float> lanes)
    {
        var half = Vector128.MaxNative(lanes.GetLower(), lanes.GetUpper());
        half = Vector128.MaxNative(half, Vector128.Shuffle(half, Vector128.Create(2, 3, 0, 1)));
        half = Vector128.MaxNative(half, Vector128.Shuffle(half, Vector128.Create(1, 0, 3, 2)));
        return half.ToScalar();
    }
}
