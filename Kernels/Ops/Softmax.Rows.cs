using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

// The many-row path of Softmax.Apply: each row's exp pass also finds the next row's range
// and rescales the previous row: one loop per row does the work of three passes.
// Done row by row, a row's scaling waits for its sum and a division, and its exp pass for a horizontal
// maximum: short dependency chains with little work around them. The range (max, min, finiteness) is
// a compare or an add per vector and the rescaling a multiply, cheap beside the exp's nine multiply-adds,
// so they ride along in its loop and their latency overlaps other rows' work. On Zen 4 this runs
// 12×128×128 logits about 30% faster than three passes per row; with 512-bit vectors the loop also
// takes four vectors per iteration, another 10% or so.
public static partial class Softmax
{
    /// <summary>
    /// Softmax of <paramref name="rows"/> rows of <paramref name="length"/> elements, row r starting at
    /// <c>r · stride</c> (stride ≥ length) and done in place; the elements between rows are untouched.
    /// </summary>
    internal static void ApplyRows(Span<float> values, int rows, int length, int stride)
    {
        if (rows == 0)
        {
            return;
        }

        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            PipelineRows<Width512>(values, values, rows, length, stride);
        }
        else if (length >= Vector<float>.Count)
        {
            PipelineRows<WidthVector>(values, values, rows, length, stride);
        }
        else
        {
            for (var r = 0; r < rows; r++)
            {
                var row = values.Slice(r * stride, length);
                ApplyRow(row, row);
            }
        }
    }

    /// <summary>
    /// One pass per row: the loop that exponentiates row r also finds row r+1's range and rescales row r−1,
    /// at the vector width <typeparamref name="TWidth"/> gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PipelineRows<TWidth>(ReadOnlySpan<float> x, Span<float> destination, int rows, int length, int stride)
        where TWidth : struct, IRowWidth
    {
        var range = TWidth.Range(x[..length]);

        // Before the first row there is nothing to rescale: "previous" starts as the first row's own
        // destination with factor 1, which rewrites each element with itself.
        var previous = destination[..length];
        var previousFactor = 1f;
        for (var r = 0; r < rows; r++)
        {
            var row = x.Slice(r * stride, length);
            var target = destination.Slice(r * stride, length);

            // After the last row the range is not needed: re-reading the row itself is harmless.
            var next = r + 1 < rows ? x.Slice((r + 1) * stride, length) : row;
            float factor;
            RowRange nextRange;
            if (float.IsNegativeInfinity(range.Max))
            {
                Scale(previous, previousFactor);
                nextRange = TWidth.Range(next);
                factor = FillMasked(row, target);
            }
            else if (range.AllFinite && range.Max - range.Min < FastExp.InRangeLimit)
            {
                factor = 1f / TWidth.ExpStep<InRangeExp>(row, range.Max, target, next, previous, previousFactor, out nextRange);
            }
            else
            {
                factor = 1f / TWidth.ExpStep<CheckedExp>(row, range.Max, target, next, previous, previousFactor, out nextRange);
            }

            previous = target;
            previousFactor = factor;
            range = nextRange;
        }

        Scale(previous, previousFactor);
    }

    /// <summary>
    /// <c>destination = exp(row − max)</c>, returning its sum (as <see cref="ExpShiftedAndSum{TExp}"/>),
    /// while <c>previous *= previousFactor</c> and <paramref name="nextRange"/> = the range of
    /// <paramref name="next"/>. All four spans have the row length, at least 16.
    /// </summary>
    /// <remarks>
    /// In place, row and destination are the same memory, previous is the row before it (no longer read)
    /// and next the row after it (not yet written), so the only overlap is element j of the row, which is
    /// loaded before it is stored; on the first row previous is destination itself, rescaled by 1.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpStep512<TExp>(
        ReadOnlySpan<float> row,
        float max,
        Span<float> destination,
        ReadOnlySpan<float> next,
        Span<float> previous,
        float previousFactor,
        out RowRange nextRange)
        where TExp : struct, IVectorExp
    {
        var width = (nuint)Vector512<float>.Count;
        var length = (nuint)row.Length;
        ref var rowStart = ref MemoryMarshal.GetReference(row);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        ref var nextStart = ref MemoryMarshal.GetReference(next);
        ref var previousStart = ref MemoryMarshal.GetReference(previous);
        var maxVector = Vector512.Create(max);
        var factor = Vector512.Create(previousFactor);

        // The next row's range starts from its last full vector, as in Range512.
        var nextMax = Vector512.LoadUnsafe(ref nextStart, length - width);
        var nextMin = nextMax;
        var nextSum = nextMax;
        var sum0 = Vector512<float>.Zero;
        var sum1 = Vector512<float>.Zero;
        nuint j = 0;
        for (; j + (4 * width) <= length; j += 4 * width)
        {
            var e0 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, j) - maxVector);
            var e1 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, j + width) - maxVector);
            var e2 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, j + (2 * width)) - maxVector);
            var e3 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, j + (3 * width)) - maxVector);
            var n0 = Vector512.LoadUnsafe(ref nextStart, j);
            var n1 = Vector512.LoadUnsafe(ref nextStart, j + width);
            var n2 = Vector512.LoadUnsafe(ref nextStart, j + (2 * width));
            var n3 = Vector512.LoadUnsafe(ref nextStart, j + (3 * width));
            (Vector512.LoadUnsafe(ref previousStart, j) * factor).StoreUnsafe(ref previousStart, j);
            (Vector512.LoadUnsafe(ref previousStart, j + width) * factor).StoreUnsafe(ref previousStart, j + width);
            (Vector512.LoadUnsafe(ref previousStart, j + (2 * width)) * factor).StoreUnsafe(ref previousStart, j + (2 * width));
            (Vector512.LoadUnsafe(ref previousStart, j + (3 * width)) * factor).StoreUnsafe(ref previousStart, j + (3 * width));
            e0.StoreUnsafe(ref destinationStart, j);
            e1.StoreUnsafe(ref destinationStart, j + width);
            e2.StoreUnsafe(ref destinationStart, j + (2 * width));
            e3.StoreUnsafe(ref destinationStart, j + (3 * width));
            sum0 += e0 + e2;
            sum1 += e1 + e3;
            nextMax = Vector512.MaxNative(nextMax, Vector512.MaxNative(Vector512.MaxNative(n0, n1), Vector512.MaxNative(n2, n3)));
            nextMin = Vector512.MinNative(nextMin, Vector512.MinNative(Vector512.MinNative(n0, n1), Vector512.MinNative(n2, n3)));
            nextSum += (n0 + n1) + (n2 + n3);
        }

        for (; j + (2 * width) <= length; j += 2 * width)
        {
            var e0 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, j) - maxVector);
            var e1 = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, j + width) - maxVector);
            var n0 = Vector512.LoadUnsafe(ref nextStart, j);
            var n1 = Vector512.LoadUnsafe(ref nextStart, j + width);
            (Vector512.LoadUnsafe(ref previousStart, j) * factor).StoreUnsafe(ref previousStart, j);
            (Vector512.LoadUnsafe(ref previousStart, j + width) * factor).StoreUnsafe(ref previousStart, j + width);
            e0.StoreUnsafe(ref destinationStart, j);
            e1.StoreUnsafe(ref destinationStart, j + width);
            sum0 += e0;
            sum1 += e1;
            nextMax = Vector512.MaxNative(nextMax, Vector512.MaxNative(n0, n1));
            nextMin = Vector512.MinNative(nextMin, Vector512.MinNative(n0, n1));
            nextSum += n0 + n1;
        }

        if (j + width <= length)
        {
            var e = TExp.Exp(Vector512.LoadUnsafe(ref rowStart, j) - maxVector);
            var n = Vector512.LoadUnsafe(ref nextStart, j);
            (Vector512.LoadUnsafe(ref previousStart, j) * factor).StoreUnsafe(ref previousStart, j);
            e.StoreUnsafe(ref destinationStart, j);
            sum0 += e;
            nextMax = Vector512.MaxNative(nextMax, n);
            nextMin = Vector512.MinNative(nextMin, n);
            nextSum += n;
            j += width;
        }

        nextRange = new RowRange(
            HorizontalMax(Vector256.MaxNative(nextMax.GetLower(), nextMax.GetUpper())),
            HorizontalMin(Vector256.MinNative(nextMin.GetLower(), nextMin.GetUpper())),
            Vector512.LessThanAll(Vector512.Abs(nextSum), Vector512.Create(float.PositiveInfinity)));
        var sum = sum0 + sum1;
        var total = HorizontalSum(sum.GetLower() + sum.GetUpper());
        if (j < length)
        {
            // Fewer than 16 left (the next row's were covered by its last-vector load).
            Scale(previous[(int)j..], previousFactor);
            total += ExpShiftedAndSum<TExp>(row[(int)j..], max, destination[(int)j..]);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ExpStep<TExp>(
        ReadOnlySpan<float> row,
        float max,
        Span<float> destination,
        ReadOnlySpan<float> next,
        Span<float> previous,
        float previousFactor,
        out RowRange nextRange)
        where TExp : struct, IVectorExp
    {
        var width = (nuint)Vector<float>.Count;
        var length = (nuint)row.Length;
        ref var rowStart = ref MemoryMarshal.GetReference(row);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        ref var nextStart = ref MemoryMarshal.GetReference(next);
        ref var previousStart = ref MemoryMarshal.GetReference(previous);
        var maxVector = new Vector<float>(max);
        var factor = new Vector<float>(previousFactor);
        var nextMax = Vector.LoadUnsafe(ref nextStart, length - width);
        var nextMin = nextMax;
        var nextSum = nextMax;
        var sum0 = Vector<float>.Zero;
        var sum1 = Vector<float>.Zero;
        nuint j = 0;
        for (; j + (2 * width) <= length; j += 2 * width)
        {
            var e0 = TExp.Exp(Vector.LoadUnsafe(ref rowStart, j) - maxVector);
            var e1 = TExp.Exp(Vector.LoadUnsafe(ref rowStart, j + width) - maxVector);
            var n0 = Vector.LoadUnsafe(ref nextStart, j);
            var n1 = Vector.LoadUnsafe(ref nextStart, j + width);
            (Vector.LoadUnsafe(ref previousStart, j) * factor).StoreUnsafe(ref previousStart, j);
            (Vector.LoadUnsafe(ref previousStart, j + width) * factor).StoreUnsafe(ref previousStart, j + width);
            e0.StoreUnsafe(ref destinationStart, j);
            e1.StoreUnsafe(ref destinationStart, j + width);
            sum0 += e0;
            sum1 += e1;
            nextMax = Vector.MaxNative(nextMax, Vector.MaxNative(n0, n1));
            nextMin = Vector.MinNative(nextMin, Vector.MinNative(n0, n1));
            nextSum += n0 + n1;
        }

        if (j + width <= length)
        {
            var e = TExp.Exp(Vector.LoadUnsafe(ref rowStart, j) - maxVector);
            var n = Vector.LoadUnsafe(ref nextStart, j);
            (Vector.LoadUnsafe(ref previousStart, j) * factor).StoreUnsafe(ref previousStart, j);
            e.StoreUnsafe(ref destinationStart, j);
            sum0 += e;
            nextMax = Vector.MaxNative(nextMax, n);
            nextMin = Vector.MinNative(nextMin, n);
            nextSum += n;
            j += width;
        }

        nextRange = RangeOf(nextMax, nextMin, nextSum);
        var total = HorizontalSum(sum0 + sum1);
        if (j < length)
        {
            Scale(previous[(int)j..], previousFactor);
            total += ExpShiftedAndSum<TExp>(row[(int)j..], max, destination[(int)j..]);
        }

        return total;
    }

    /// <summary>Zeros for a row of −∞, NaN if some entry is NaN instead; returns the factor 1.</summary>
    private static float FillMasked(ReadOnlySpan<float> row, Span<float> destination)
    {
        destination.Fill(row.ContainsAnyExcept(float.NegativeInfinity) ? float.NaN : 0f);
        return 1f;
    }

    /// <summary>The vector width a row pipeline runs at: its range scan and its exponentiation step.</summary>
    private interface IRowWidth
    {
        static abstract RowRange Range(ReadOnlySpan<float> row);

        static abstract float ExpStep<TExp>(ReadOnlySpan<float> row, float max, Span<float> destination, ReadOnlySpan<float> next, Span<float> previous, float previousFactor, out RowRange nextRange)
            where TExp : struct, IVectorExp;
    }

    /// <summary>512-bit vectors (AVX-512).</summary>
    private readonly struct Width512 : IRowWidth
    {
        public static RowRange Range(ReadOnlySpan<float> row) => Range512(row);

        public static float ExpStep<TExp>(ReadOnlySpan<float> row, float max, Span<float> destination, ReadOnlySpan<float> next, Span<float> previous, float previousFactor, out RowRange nextRange)
            where TExp : struct, IVectorExp =>
            ExpStep512<TExp>(row, max, destination, next, previous, previousFactor, out nextRange);
    }

    /// <summary><see cref="System.Numerics.Vector{T}"/> width (256-bit on x64, 128-bit on ARM64).</summary>
    private readonly struct WidthVector : IRowWidth
    {
        public static RowRange Range(ReadOnlySpan<float> row) => Softmax.Range(row);

        public static float ExpStep<TExp>(ReadOnlySpan<float> row, float max, Span<float> destination, ReadOnlySpan<float> next, Span<float> previous, float previousFactor, out RowRange nextRange)
            where TExp : struct, IVectorExp =>
            Softmax.ExpStep<TExp>(row, max, destination, next, previous, previousFactor, out nextRange);
    }
}
