using System.Numerics.Tensors;

namespace Galaxy.Kernels.Ops;

/// <summary>Bias broadcast over rows: <c>Y (R,N) = X (R,N) + b (N)</c>, row-major.</summary>
public static class Bias
{
    /// <summary><c>destination[r, c] = x[r, c] + bias[c]</c> for every row r of N = <c>bias.Length</c> columns.</summary>
    /// <param name="x">R × N values, row-major; its length must be a multiple of N.</param>
    /// <param name="bias">N values, N ≥ 1.</param>
    /// <param name="destination">R × N outputs; may be exactly <paramref name="x"/>, must not overlap <paramref name="bias"/>.</param>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> destination)
    {
        var rows = SpanChecks.RowsOf(x.Length, bias.Length, nameof(x), "bias length");
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfPartialOverlap(x, destination, nameof(x));
        SpanChecks.ThrowIfOverlap(bias, destination, nameof(bias));
        var n = bias.Length;
        for (var r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(x.Slice(r * n, n), bias, destination.Slice(r * n, n));
        }
    }
}
