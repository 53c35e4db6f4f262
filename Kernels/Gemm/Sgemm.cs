using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Gemm;

/// <summary>
/// Single-precision matrix product with a pre-packed right-hand side:
/// <c>C (M,N) = A (M,K) · B (K,N) [+ bias (N)] [+ C]</c>, all row-major.
/// </summary>
/// <remarks>
/// Work is cut into tasks of (a block of rows) × (a group of B panels) and spread over
/// <see cref="KernelThreads"/>; inside a task, K is cut into cache-sized blocks and each
/// register tile of C is computed by the micro-kernel the packed matrix was laid out for.
/// <see cref="MultiplyRows"/> computes only a band of rows so the overlap scheduler can ship
/// finished tiles of C while later tiles are still being computed.
/// </remarks>
public static unsafe class Sgemm
{
    /// <summary>Depth of one K block: A and B slices of this depth stay in L2 across a task.</summary>
    internal const int DepthBlock = 512;

    /// <summary>Most B panels one task covers, so its band of C stays in L2 across the K blocks.</summary>
    internal const int MaxPanelsPerTask = 8;

    /// <summary>Rows of A in one task (a multiple of the tile rows is taken).</summary>
    internal const int RowBlockTiles = 16;

    /// <summary><c>C = A·B [+ bias] [+ C]</c> for every row of A.</summary>
    /// <param name="a">A, row-major M × K, where K = <c>b.Rows</c>.</param>
    /// <param name="b">B, packed once with <see cref="PackedMatrix.Pack"/>.</param>
    /// <param name="c">C, row-major M × N; must not overlap <paramref name="a"/> or <paramref name="bias"/>.</param>
    /// <param name="bias">Empty, or N values added to every row.</param>
    /// <param name="accumulate">Add the product to C's current contents instead of overwriting them.</param>
    /// <param name="threads">Compute threads; <see cref="KernelThreads.Shared"/> when null.</param>
    public static void Multiply(
        ReadOnlySpan<float> a,
        PackedMatrix b,
        Span<float> c,
        ReadOnlySpan<float> bias = default,
        bool accumulate = false,
        KernelThreads? threads = null)
    {
        ArgumentNullException.ThrowIfNull(b);
        var m = RowsOf(a, b);
        MultiplyRows(a, b, 0, m, c, bias, accumulate, threads);
    }

    /// <summary>
    /// Rows <c>[rowStart, rowEnd)</c> of <c>C = A·B [+ bias] [+ C]</c>, written to
    /// <paramref name="destination"/> ((rowEnd − rowStart) × N, row-major). The result is
    /// bit-identical to the same rows of <see cref="Multiply"/>.
    /// </summary>
    /// <param name="a">The whole A, row-major M × K.</param>
    /// <param name="b">B, packed once with <see cref="PackedMatrix.Pack"/>.</param>
    /// <param name="rowStart">First row of C to compute.</param>
    /// <param name="rowEnd">One past the last row of C to compute.</param>
    /// <param name="destination">The band of C; must not overlap <paramref name="a"/> or <paramref name="bias"/>.</param>
    /// <param name="bias">Empty, or N values added to every row.</param>
    /// <param name="accumulate">Add the product to the destination's current contents.</param>
    /// <param name="threads">Compute threads; <see cref="KernelThreads.Shared"/> when null.</param>
    public static void MultiplyRows(
        ReadOnlySpan<float> a,
        PackedMatrix b,
        int rowStart,
        int rowEnd,
        Span<float> destination,
        ReadOnlySpan<float> bias = default,
        bool accumulate = false,
        KernelThreads? threads = null)
    {
        ArgumentNullException.ThrowIfNull(b);
        var m = RowsOf(a, b);
        if (rowStart < 0 || rowEnd < rowStart || rowEnd > m)
        {
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"Row range [{rowStart}, {rowEnd}) is not inside the {m} rows of A.");
        }

        var rows = rowEnd - rowStart;
        var n = b.Columns;
        if (destination.Length != (long)rows * n)
        {
            throw new ArgumentException($"Destination has {destination.Length} elements but {rows} rows × {n} columns = {(long)rows * n} are needed.", nameof(destination));
        }

        if (!bias.IsEmpty && bias.Length != n)
        {
            throw new ArgumentException($"Bias has {bias.Length} elements but B has {n} columns.", nameof(bias));
        }

        if (a.Overlaps(destination))
        {
            throw new ArgumentException("Destination overlaps A; the product cannot be written over its own input.", nameof(destination));
        }

        if (bias.Overlaps(destination))
        {
            throw new ArgumentException("Destination overlaps the bias.", nameof(destination));
        }

        if (rows == 0)
        {
            return;
        }

        fixed (float* aPointer = a)
        fixed (float* cPointer = destination)
        fixed (float* biasPointer = bias)
        {
            var job = new GemmJob(
                aPointer + ((long)rowStart * b.Rows),
                rows,
                b,
                cPointer,
                bias.IsEmpty ? null : biasPointer,
                accumulate);
            var pool = threads ?? KernelThreads.Shared;
            job.Plan(pool.Count);
            pool.For(job.TaskCount, job.RunTask);
        }
    }

    private static int RowsOf(ReadOnlySpan<float> a, PackedMatrix b)
    {
        if (a.Length % b.Rows != 0)
        {
            throw new ArgumentException($"A has {a.Length} elements, which is not a whole number of rows of K = {b.Rows}.", nameof(a));
        }

        return a.Length / b.Rows;
    }
}
