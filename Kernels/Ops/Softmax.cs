using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Row-wise softmax: <c>Y[r, j] = exp(X[r, j] − m_r) / Σ_k exp(X[r, k] − m_r)</c>, with
/// <c>m_r = max_k X[r, k]</c>, over rows of a fixed length.
/// </summary>
/// <remarks>
/// Subtracting the row maximum keeps every exponent ≤ 0, so no logit can overflow (TensorPrimitives.SoftMax
/// does not subtract it). A row whose entries are all −∞ — a query that may see no key — yields zeros
/// rather than 0/0. A row containing NaN or +∞ yields NaN.
/// </remarks>
public static class Softmax
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
        for (var r = 0; r < rows; r++)
        {
            ApplyRow(x.Slice(r * rowLength, rowLength), destination.Slice(r * rowLength, rowLength));
        }
    }

    /// <summary>Softmax of one non-empty row; arguments are the caller's responsibility.</summary>
    internal static void ApplyRow(ReadOnlySpan<float> row, Span<float> destination)
    {
        var max = TensorPrimitives.Max(row);
        if (float.IsNegativeInfinity(max))
        {
            destination.Clear();
            return;
        }

        var sum = ExpShiftedAndSum(row, max, destination);
        TensorPrimitives.Multiply(destination, (float)(1.0 / sum), destination);
    }

    // destination[j] = exp(row[j] − max); returns Σ_j destination[j], accumulated in double.
    private static double ExpShiftedAndSum(ReadOnlySpan<float> row, float max, Span<float> destination)
    {
        var width = Vector<float>.Count;
        ref var rowStart = ref MemoryMarshal.GetReference(row);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        var maxVector = new Vector<float>(max);
        var low = Vector<double>.Zero;
        var high = Vector<double>.Zero;
        var i = 0;
        for (; i <= row.Length - width; i += width)
        {
            var e = Vector.Exp(Vector.LoadUnsafe(ref rowStart, (nuint)i) - maxVector);
            e.StoreUnsafe(ref destinationStart, (nuint)i);
            low += Vector.WidenLower(e);
            high += Vector.WidenUpper(e);
        }

        var remaining = row.Length - i;
        if (remaining > 0)
        {
            // Pad with −∞ so the unused lanes contribute exp(−∞) = 0 to the sum.
            Span<float> padded = stackalloc float[width];
            padded.Fill(float.NegativeInfinity);
            row[i..].CopyTo(padded);
            var e = Vector.Exp(new Vector<float>(padded) - maxVector);
            e.CopyTo(padded);
            padded[..remaining].CopyTo(destination[i..]);
            low += Vector.WidenLower(e);
            high += Vector.WidenUpper(e);
        }

        return Vector.Sum(low + high);
    }
}
