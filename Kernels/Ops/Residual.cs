using System.Numerics.Tensors;

namespace Galaxy.Kernels.Ops;

/// <summary>The residual connection: <c>y = x + residual</c>, element-wise over equal shapes.</summary>
public static class Residual
{
    /// <summary><c>destination[i] = x[i] + residual[i]</c> over n elements (any shape, e.g. S × H).</summary>
    /// <param name="x">n values, the block's output.</param>
    /// <param name="residual">n values, the block's input.</param>
    /// <param name="destination">n outputs; may be exactly <paramref name="x"/> or exactly <paramref name="residual"/>.</param>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> residual, Span<float> destination)
    {
        SpanChecks.ThrowIfLengthDiffers(x.Length, residual.Length, nameof(residual), nameof(x));
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfPartialOverlap(x, destination, nameof(x));
        SpanChecks.ThrowIfPartialOverlap(residual, destination, nameof(residual));
        TensorPrimitives.Add(x, residual, destination);
    }
}
