using System.Numerics.Tensors;

namespace Galaxy.Kernels.Ops;

/// <summary>Rectified linear unit, element-wise (OPT's activation): <c>y = max(x, 0)</c>.</summary>
public static class Relu
{
    /// <summary><c>destination[i] = max(x[i], 0)</c> over n elements; NaN stays NaN.</summary>
    /// <param name="x">n inputs.</param>
    /// <param name="destination">n outputs; may be exactly <paramref name="x"/> (in place).</param>
    public static void Apply(ReadOnlySpan<float> x, Span<float> destination)
    {
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfPartialOverlap(x, destination, nameof(x));
        TensorPrimitives.Max(x, 0f, destination);
    }
}
