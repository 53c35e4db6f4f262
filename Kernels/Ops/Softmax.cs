using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Row-wise softmax: <c>Y[r, j] = exp(X[r, j] − m_r) / Σ_k exp(X[r, k] − m_r)</c>, with
/// <c>m_r = max_k X[r, k]</c>, over rows of a fixed length.
/// </summary>
/// <remarks>
/// Subtracting the row maximum keeps every exponent ≤ 0, so no logit can overflow (TensorPrimitives.SoftMax
/// does not subtract it). A row whose entries are all −∞ — a query that may see no key — yields zeros
/// rather than 0/0. A row containing NaN or +∞ yields NaN.
/// The loops are compiled fully optimised on first use (<see cref="MethodImplOptions.AggressiveOptimization"/>,
/// as the GEMM micro-kernels are): under tiered compilation their vector code would otherwise run
/// unoptimised, with FastExp called rather than inlined, until the tier-up, which a busy process can
/// postpone for seconds.
/// </remarks>
public static partial class Softmax
{
    /// <summary>Softmax of every row of <paramref name="rowLength"/> elements.</summary>
    /// <param name="x">R × L logits, row-major; −∞ marks a masked entry.</param>
    /// <param name="destination">R × L probabilities; may be exactly <paramref name="x"/> (in place).</param>
    /// <param name="rowLength">L ≥ 1; <c>x.Length</c> must be a multiple of it.</param>
    public static void Apply(ReadOnlySpan<float> x, Span<float> destination, int rowLength)
    {
        var rows = SpanChecks.RowsOf(x.Length, rowLength, nameof(x), nameof(rowLength));
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfPartialOverlap(x, destination, nameof(x));
        if (rows == 0)
        {
            return;
        }

        if (Vector512.IsHardwareAccelerated && rowLength >= Vector512<float>.Count)
        {
            PipelineRows<Width512>(x, destination, rows, rowLength, rowLength);
        }
        else if (rowLength >= Vector<float>.Count)
        {
            PipelineRows<WidthVector>(x, destination, rows, rowLength, rowLength);
        }
        else
        {
            for (var r = 0; r < rows; r++)
            {
                ApplyRow(x.Slice(r * rowLength, rowLength), destination.Slice(r * rowLength, rowLength));
            }
        }
    }

    /// <summary>Softmax of one non-empty row; arguments are the caller's responsibility.</summary>
    internal static void ApplyRow(ReadOnlySpan<float> row, Span<float> destination) =>
        Scale(destination, ExpRow(row, destination));

    /// <summary>
    /// The unnormalised half of <see cref="ApplyRow"/>: <c>destination = exp(row − max(row))</c>, and
    /// returns <c>1/Σ destination</c>, the factor that <see cref="Scale"/> applies to finish the row.
    /// A row of −∞ (fully masked) gets zeros and factor 1.
    /// </summary>
    /// <remarks>
    /// Two passes over the row. The first finds the maximum and minimum and checks that every entry is
    /// finite; when they are and <c>max − min &lt; 87</c> (the usual case), every <c>x − max</c> is in
    /// <see cref="FastExp"/>'s fast range and the second pass skips its per-vector range check. The
    /// second pass stores and sums <c>exp(x − max)</c>. The sum is at least 1 (the maximum contributes
    /// exp(0)) and its terms are positive, so float accumulators suffice: each of the 2 × 16 lanes
    /// (2 × 8 without AVX-512) adds at most L/32 terms. Rows use 512-bit vectors where the hardware has
    /// them: on Zen 4 the exp is about a quarter faster than with 256-bit ones. NaN or +∞ in the row makes
    /// the sum, the factor and so the whole row NaN.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float ExpRow(ReadOnlySpan<float> row, Span<float> destination)
    {
        var wide = Vector512.IsHardwareAccelerated && row.Length >= Vector512<float>.Count;
        var range = wide ? Range512(row) : Range(row);
        if (float.IsNegativeInfinity(range.Max))
        {
            return FillMasked(row, destination);
        }

        var inRange = range.AllFinite && range.Max - range.Min < FastExp.InRangeLimit;
        var sum = (wide, inRange) switch
        {
            (true, true) => ExpShiftedAndSum512<InRangeExp>(row, range.Max, destination),
            (true, false) => ExpShiftedAndSum512<CheckedExp>(row, range.Max, destination),
            (false, true) => ExpShiftedAndSum<InRangeExp>(row, range.Max, destination),
            (false, false) => ExpShiftedAndSum<CheckedExp>(row, range.Max, destination),
        };
        return 1f / sum;
    }

    /// <summary><c>values *= factor</c>, element-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Scale(Span<float> values, float factor)
    {
        ref var start = ref MemoryMarshal.GetReference(values);
        var length = (nuint)values.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var factor512 = Vector512.Create(factor);
            for (; i + (nuint)Vector512<float>.Count <= length; i += (nuint)Vector512<float>.Count)
            {
                (Vector512.LoadUnsafe(ref start, i) * factor512).StoreUnsafe(ref start, i);
            }
        }

        var factorVector = new Vector<float>(factor);
        for (; i + (nuint)Vector<float>.Count <= length; i += (nuint)Vector<float>.Count)
        {
            (Vector.LoadUnsafe(ref start, i) * factorVector).StoreUnsafe(ref start, i);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref start, i) *= factor;
        }
    }

    // Max and Min may miss a NaN (MaxNative keeps whichever operand the hardware returns), but the sum
    // of the entries does not, and it is not finite either when an entry is ±∞.
    // The vector loops start from the last full vector and then cover the rest from the front:
    // overlapping loads change neither extreme, and AllFinite only needs every entry added at least once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RowRange Range(ReadOnlySpan<float> row)
    {
        var width = Vector<float>.Count;
        if (row.Length < width)
        {
            float max = row[0], min = row[0], sum = 0f;
            foreach (var value in row)
            {
                max = MathF.Max(max, value);
                min = MathF.Min(min, value);
                sum += value;
            }

            return new RowRange(max, min, float.IsFinite(sum));
        }

        ref var start = ref MemoryMarshal.GetReference(row);
        var last = (nuint)(row.Length - width);
        var maxVector = Vector.LoadUnsafe(ref start, last);
        var minVector = maxVector;
        var sumVector = maxVector;
        for (nuint i = 0; i < last; i += (nuint)width)
        {
            var v = Vector.LoadUnsafe(ref start, i);
            maxVector = Vector.MaxNative(maxVector, v);
            minVector = Vector.MinNative(minVector, v);
            sumVector += v;
        }

        return RangeOf(maxVector, minVector, sumVector);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RowRange RangeOf(Vector<float> maxVector, Vector<float> minVector, Vector<float> sumVector)
    {
        var allFinite = Vector.LessThanAll(Vector.Abs(sumVector), new Vector<float>(float.PositiveInfinity));
        if (Vector<float>.Count == Vector256<float>.Count)
        {
            return new RowRange(HorizontalMax(maxVector.AsVector256()), HorizontalMin(minVector.AsVector256()), allFinite);
        }

        if (Vector<float>.Count == Vector128<float>.Count)
        {
            return new RowRange(HorizontalMax(maxVector.AsVector128()), HorizontalMin(minVector.AsVector128()), allFinite);
        }

        float max = maxVector[0], min = minVector[0];
        for (var lane = 1; lane < Vector<float>.Count; lane++)
        {
            max = MathF.Max(max, maxVector[lane]);
            min = MathF.Min(min, minVector[lane]);
        }

        return new RowRange(max, min, allFinite);
    }

    // Needs row.Length ≥ 16.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RowRange Range512(ReadOnlySpan<float> row)
    {
        var width = (nuint)Vector512<float>.Count;
        ref var start = ref MemoryMarshal.GetReference(row);
        var last = (nuint)row.Length - width;
        var maxVector = Vector512.LoadUnsafe(ref start, last);
        var minVector = maxVector;
        var sumVector = maxVector;
        for (nuint i = 0; i < last; i += width)
        {
            var v = Vector512.LoadUnsafe(ref start, i);
            maxVector = Vector512.MaxNative(maxVector, v);
            minVector = Vector512.MinNative(minVector, v);
            sumVector += v;
        }

        return new RowRange(
            HorizontalMax(Vector256.MaxNative(maxVector.GetLower(), maxVector.GetUpper())),
            HorizontalMin(Vector256.MinNative(minVector.GetLower(), minVector.GetUpper())),
            Vector512.LessThanAll(Vector512.Abs(sumVector), Vector512.Create(float.PositiveInfinity)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector256<float> max) => HorizontalMax(Vector128.MaxNative(max.GetLower(), max.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector128<float> max)
    {
        max = Vector128.MaxNative(max, Vector128.Shuffle(max, Vector128.Create(2, 3, 0, 1)));
        max = Vector128.MaxNative(max, Vector128.Shuffle(max, Vector128.Create(1, 0, 3, 2)));
        return max.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMin(Vector256<float> min) => HorizontalMin(Vector128.MinNative(min.GetLower(), min.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMin(Vector128<float> min)
    {
        min = Vector128.MinNative(min, Vector128.Shuffle(min, Vector128.Create(2, 3, 0, 1)));
        min = Vector128.MinNative(min, Vector128.Shuffle(min, Vector128.Create(1, 0, 3, 2)));
        return min.ToScalar();
    }

    // destination[j] = exp(row[j] − max); returns Σ_j destination[j]. Every vector is loaded before it
    // is stored, so destination may be row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpShiftedAndSum<TExp>(ReadOnlySpan<float> row, float max, Span<float> destination)
        where TExp : struct, IVectorExp
    {
        var width = (nuint)Vector<float>.Count;
        ref var rowStart = ref MemoryMarshal.GetReference(row);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        var length = (nuint)row.Length;
        var maxVector = new Vector<float>(max);
        var sum0 = Vector<float>.Zero;
        var sum1 = Vector<float>.Zero;
        nuint i = 0;
        for (; i + (2 * width) <= length; i += 2 * width)
        {
            var e0 = TExp.Exp(Vector.LoadUnsafe(ref rowStart, i) - maxVector);
            var e1 = TExp.Exp(Vector.LoadUnsafe(ref rowStart, i + width) - maxVector);
            e0.StoreUnsafe(ref destinationStart, i);
            e1.StoreUnsafe(ref destinationStart, i + width);
            sum0 += e0;
            sum1 += e1;
        }

        if (i + width <= length)
        {
            var e = TExp.Exp(Vector.LoadUnsafe(ref rowStart, i) - maxVector);
            e.StoreUnsafe(ref destinationStart, i);
            sum0 += e;
            i += width;
        }

        if (i < length)
        {
            sum1 += ExpShiftedTail(row[(int)i..], maxVector, destination[(int)i..]);
        }

        return HorizontalSum(sum0 + sum1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpShiftedAndSum512<TExp>(ReadOnlySpan<float> row, float max, Span<float> destination)
        where TExp : struct, IVectorExp
    {
        var width = (nuint)Vector512<float>.Count;
        ref var rowStart = ref MemoryMarshal.GetReference(row);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        var length = (nuint)row.Length;
        var maxVector = Vector512.Create(max);
        var sum0 = Vector512<float>.Zero;
        var sum1 = Vector512<float>.Zero;
        nuint i = 0;
        for (; i + (2 * width) <= length; i += 2 * width)
        {
            var e0 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, i) - maxVector);
            var e1 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, i + width) - maxVector);
            e0.StoreUnsafe(ref destinationStart, i);
            e1.StoreUnsafe(ref destinationStart, i + width);
            sum0 += e0;
            sum1 += e1;
        }

        if (i + width <= length)
        {
            var e = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, i) - maxVector);
            e.StoreUnsafe(ref destinationStart, i);
            sum0 += e;
            i += width;
        }

        var sum = sum0 + sum1;
        var half = sum.GetLower() + sum.GetUpper();
        if (i < length)
        {
            // Fewer than 16 left: finish with Vector<float>.
            return HorizontalSum(half) + ExpShiftedAndSum<TExp>(row[(int)i..], max, destination[(int)i..]);
        }

        return HorizontalSum(half);
    }

    // Fewer than one vector of elements: pad with −∞, whose exp contributes 0 to the sum. The padding
    // is out of the fast range, so this always takes the checked exp.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector<float> ExpShiftedTail(ReadOnlySpan<float> row, Vector<float> maxVector, Span<float> destination)
    {
        Span<float> padded = stackalloc float[Vector<float>.Count];
        padded.Fill(float.NegativeInfinity);
        row.CopyTo(padded);
        var e = FastExp.Exp(new Vector<float>(padded) - maxVector);
        e.CopyTo(padded);
        padded[..row.Length].CopyTo(destination);
        return e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector<float> sum) =>
        Vector<float>.Count == Vector256<float>.Count ? HorizontalSum(sum.AsVector256()) : Vector.Sum(sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalSum(Vector256<float> sum)
    {
        var quarter = sum.GetLower() + sum.GetUpper();
        quarter += Vector128.Shuffle(quarter, Vector128.Create(2, 3, 0, 1));
        quarter += Vector128.Shuffle(quarter, Vector128.Create(1, 0, 3, 2));
        return quarter.ToScalar();
    }

    /// <summary>A row's largest and smallest entries, and whether all of them are finite.</summary>
    private readonly record struct RowRange(float Max, float Min, bool AllFinite);

    /// <summary>The exp that <see cref="ExpShiftedAndSum{TExp}"/> applies to each vector.</summary>
    private interface IVectorExp
    {
        static abstract Vector<float> Exp(Vector<float> x);

        static abstract Vector512<float> Exp(Vector512<float> x);
    }

    /// <summary>Any input, including the −∞ of masked entries.</summary>
    private readonly struct CheckedExp : IVectorExp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Exp(Vector<float> x) => FastExp.Exp(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Exp(Vector512<float> x) => FastExp.Exp(x);
    }

    /// <summary>Inputs the row's range has shown to be finite and above −<see cref="FastExp.InRangeLimit"/>.</summary>
    private readonly struct InRangeExp : IVectorExp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Exp(Vector<float> x) => FastExp.ExpInRange(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Exp(Vector512<float> x) => FastExp.ExpInRange(x);
    }
}
