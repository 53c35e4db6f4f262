using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Symmetric 8-bit quantization per row: row r of width W is sent as one fp32 scale <c>s_r = max_i |x_ri| / 127</c>
/// and W values <c>q_ri = round(x_ri · 127 / max_i |x_ri|)</c> in −127…127, and comes back as <c>q_ri · s_r</c>.
/// A quarter of fp32's bytes (plus 4 per row); Galaxy uses it to put tiles on slow links (<c>LinkPrecision.Int8</c>).
/// </summary>
/// <remarks>
/// <para>Error: <c>|x − q·s| ≤ s/2</c> per element, up to fp32 rounding of the scale and the products
/// (below <c>s·10⁻⁴</c>). Rounding is to nearest, ties to even (<see cref="MathF.Round(float)"/>).</para>
/// <para>Special rows: an all-zero row has scale 0. A row whose largest magnitude is below
/// <see cref="SmallestScaledMagnitude"/> (2⁻¹¹⁹ ≈ 1.5·10⁻³⁶, where 127 / max would overflow or the scale would be
/// subnormal) is sent as zeros with scale 0. A row holding a NaN or ±∞ is sent with scale NaN and all q = 0, so
/// it decodes to NaN in every element: the damage stays visible (as it would be after the next LayerNorm in
/// fp32) and no peer waits for a tile that an exception would have stopped.</para>
/// <para>Vectorized with <see cref="Vector512"/> or <see cref="Vector256"/> where the hardware has them, scalar
/// otherwise; every path gives the same bits.</para>
/// </remarks>
public static class Int8RowCodec
{
    /// <summary>Rows whose largest magnitude is below this (2⁻¹¹⁹) are sent as zeros.</summary>
    public const float SmallestScaledMagnitude = 1.504632769052528E-36f;

    private const float Levels = 127f;

    /// <summary>Quantizes rows of <paramref name="width"/> values: <c>scales[r] = max |x_r·| / 127</c>, <c>destination[r, i] = round(x[r, i] / scales[r])</c>.</summary>
    /// <param name="x">R × W values, row-major.</param>
    /// <param name="width">W, values per row (≥ 1).</param>
    /// <param name="scales">R scales, one per row.</param>
    /// <param name="destination">R × W quantized values in −127…127; must not overlap <paramref name="x"/>.</param>
    public static void Encode(ReadOnlySpan<float> x, int width, Span<float> scales, Span<sbyte> destination)
    {
        var rows = SpanChecks.RowsOf(x.Length, width, nameof(x), "width");
        SpanChecks.ThrowIfLengthDiffers(rows, scales.Length, nameof(scales), "the number of rows");
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfBytesOverlap(x, destination, nameof(x));
        SpanChecks.ThrowIfOverlap(x, scales, nameof(x));
        for (var r = 0; r < rows; r++)
        {
            scales[r] = EncodeRow(x.Slice(r * width, width), destination.Slice(r * width, width));
        }
    }

    /// <summary>Restores rows: <c>destination[r, i] = q[r, i] · scales[r]</c>.</summary>
    /// <param name="q">R × W quantized values.</param>
    /// <param name="scales">R scales.</param>
    /// <param name="width">W, values per row (≥ 1).</param>
    /// <param name="destination">R × W values; must not overlap the inputs.</param>
    public static void Decode(ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales, int width, Span<float> destination)
    {
        var rows = SpanChecks.RowsOf(q.Length, width, nameof(q), "width");
        SpanChecks.ThrowIfLengthDiffers(rows, scales.Length, nameof(scales), "the number of rows");
        SpanChecks.ThrowIfLengthDiffers(q.Length, destination.Length, nameof(destination), nameof(q));
        SpanChecks.ThrowIfOverlap(q, destination, nameof(q));
        SpanChecks.ThrowIfOverlap(scales, destination, nameof(scales));
        for (var r = 0; r < rows; r++)
        {
            DecodeRow(q.Slice(r * width, width), scales[r], destination.Slice(r * width, width));
        }
    }

    /// <summary>One row: returns its scale and writes its quantized values.</summary>
    internal static float EncodeRow(ReadOnlySpan<float> row, Span<sbyte> destination)
    {
        var (largest, finite) = Vector512.IsHardwareAccelerated ? Range512(row)
            : Vector256.IsHardwareAccelerated ? Range256(row)
            : RangeScalar(row, 0, 0f, true);
        if (!finite || largest < SmallestScaledMagnitude)
        {
            destination.Clear();
            return finite ? 0f : float.NaN;
        }

        var inverse = Levels / largest;
        if (Vector512.IsHardwareAccelerated)
        {
            Quantize512(row, inverse, destination);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Quantize256(row, inverse, destination);
        }
        else
        {
            QuantizeScalar(row, inverse, destination, 0);
        }

        return largest / Levels;
    }

    /// <summary>One row: <c>destination[i] = q[i] · scale</c>.</summary>
    internal static void DecodeRow(ReadOnlySpan<sbyte> q, float scale, Span<float> destination)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Dequantize512(q, scale, destination);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Dequantize256(q, scale, destination);
        }
        else
        {
            DequantizeScalar(q, scale, destination, 0);
        }
    }

    /// <summary>One value, the scalar expression every vector path matches: <c>round(x · inverse)</c> clamped to ±127.</summary>
    internal static sbyte Quantize(float value, float inverse) => (sbyte)Math.Clamp(MathF.Round(value * inverse), -Levels, Levels);

    /// <summary>Largest magnitude of the row and whether every element is finite (the <see cref="Vector512"/> path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Largest, bool Finite) Range512(ReadOnlySpan<float> row)
    {
        ref var source = ref MemoryMarshal.GetReference(row);
        var step = Vector512<float>.Count;
        var largest = Vector512<float>.Zero;
        var finite = Vector512<float>.AllBitsSet;
        var infinity = Vector512.Create(float.PositiveInfinity);
        var i = 0;
        for (; i <= row.Length - step; i += step)
        {
            var magnitude = Vector512.Abs(Vector512.LoadUnsafe(ref source, (nuint)i));
            largest = Vector512.MaxNative(largest, magnitude);
            finite &= Vector512.LessThan(magnitude, infinity);
        }

        var scalarLargest = 0f;
        for (var lane = 0; lane < step; lane++)
        {
            scalarLargest = Math.Max(scalarLargest, largest[lane]);
        }

        return RangeScalar(row, i, scalarLargest, finite.AsUInt32() == Vector512<uint>.AllBitsSet);
    }

    /// <summary>Largest magnitude of the row and whether every element is finite (the <see cref="Vector256"/> path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Largest, bool Finite) Range256(ReadOnlySpan<float> row)
    {
        ref var source = ref MemoryMarshal.GetReference(row);
        var step = Vector256<float>.Count;
        var largest = Vector256<float>.Zero;
        var finite = Vector256<float>.AllBitsSet;
        var infinity = Vector256.Create(float.PositiveInfinity);
        var i = 0;
        for (; i <= row.Length - step; i += step)
        {
            var magnitude = Vector256.Abs(Vector256.LoadUnsafe(ref source, (nuint)i));
            largest = Vector256.MaxNative(largest, magnitude);
            finite &= Vector256.LessThan(magnitude, infinity);
        }

        var scalarLargest = 0f;
        for (var lane = 0; lane < step; lane++)
        {
            scalarLargest = Math.Max(scalarLargest, largest[lane]);
        }

        return RangeScalar(row, i, scalarLargest, finite.AsUInt32() == Vector256<uint>.AllBitsSet);
    }

    /// <summary>The scalar range from element <paramref name="start"/> on, continuing from <paramref name="largest"/> and <paramref name="finite"/>.</summary>
    internal static (float Largest, bool Finite) RangeScalar(ReadOnlySpan<float> row, int start, float largest, bool finite)
    {
        for (var i = start; i < row.Length; i++)
        {
            var magnitude = Math.Abs(row[i]);
            finite &= magnitude < float.PositiveInfinity;
            largest = Math.Max(largest, magnitude);
        }

        return (largest, finite);
    }

    /// <summary>The <see cref="Vector512"/> path of the quantization: 64 values per step, four float vectors narrowed to one of bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Quantize512(ReadOnlySpan<float> row, float inverse, Span<sbyte> destination)
    {
        ref var source = ref MemoryMarshal.GetReference(row);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector512<float>.Count;
        var scale = Vector512.Create(inverse);
        var i = 0;
        for (; i <= row.Length - (4 * step); i += 4 * step)
        {
            var a = Level(Vector512.LoadUnsafe(ref source, (nuint)i), scale);
            var b = Level(Vector512.LoadUnsafe(ref source, (nuint)(i + step)), scale);
            var c = Level(Vector512.LoadUnsafe(ref source, (nuint)(i + (2 * step))), scale);
            var d = Level(Vector512.LoadUnsafe(ref source, (nuint)(i + (3 * step))), scale);
            Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(c, d)).StoreUnsafe(ref target, (nuint)i);
        }

        QuantizeScalar(row, inverse, destination, i);

        static Vector512<int> Level(Vector512<float> value, Vector512<float> scale) =>
            Vector512.ConvertToInt32(Vector512.Clamp(Vector512.Round(value * scale), Vector512.Create(-Levels), Vector512.Create(Levels)));
    }

    /// <summary>The <see cref="Vector256"/> path of the quantization: 32 values per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Quantize256(ReadOnlySpan<float> row, float inverse, Span<sbyte> destination)
    {
        ref var source = ref MemoryMarshal.GetReference(row);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector256<float>.Count;
        var scale = Vector256.Create(inverse);
        var i = 0;
        for (; i <= row.Length - (4 * step); i += 4 * step)
        {
            var a = Level(Vector256.LoadUnsafe(ref source, (nuint)i), scale);
            var b = Level(Vector256.LoadUnsafe(ref source, (nuint)(i + step)), scale);
            var c = Level(Vector256.LoadUnsafe(ref source, (nuint)(i + (2 * step))), scale);
            var d = Level(Vector256.LoadUnsafe(ref source, (nuint)(i + (3 * step))), scale);
            Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d)).StoreUnsafe(ref target, (nuint)i);
        }

        QuantizeScalar(row, inverse, destination, i);

        static Vector256<int> Level(Vector256<float> value, Vector256<float> scale) =>
            Vector256.ConvertToInt32(Vector256.Clamp(Vector256.Round(value * scale), Vector256.Create(-Levels), Vector256.Create(Levels)));
    }

    /// <summary>The scalar quantization from element <paramref name="start"/> on.</summary>
    internal static void QuantizeScalar(ReadOnlySpan<float> row, float inverse, Span<sbyte> destination, int start)
    {
        for (var i = start; i < row.Length; i++)
        {
            destination[i] = Quantize(row[i], inverse);
        }
    }

    /// <summary>The <see cref="Vector512"/> path of the dequantization: 64 bytes widened to four float vectors per step.</summary>
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

        DequantizeScalar(q, scale, destination, i);
    }

    /// <summary>The <see cref="Vector256"/> path of the dequantization: 32 bytes per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Dequantize256(ReadOnlySpan<sbyte> q, float scale, Span<float> destination)
    {
        ref var source = ref MemoryMarshal.GetReference(q);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var step = Vector256<sbyte>.Count;
        var quarter = step / 4;
        var factor = Vector256.Create(scale);
        var i = 0;
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
}
