using System.Numerics;
using System.Runtime.InteropServices;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Layer normalisation over each row: <c>Y (R,N) = (X − μ)/√(σ² + ε) · γ (N) + β (N)</c>, where μ and
/// σ² are the row's mean and population (biased) variance and N = <c>gamma.Length</c>.
/// </summary>
public static class LayerNorm
{
    /// <summary>Normalises every row of N = <c>gamma.Length</c> elements of <paramref name="x"/>.</summary>
    /// <remarks>
    /// Two passes in double (mean, then the sum of squared deviations from it), so that rows with a large
    /// mean and a small spread — common in the residual stream of deep decoders — keep their precision.
    /// The final scale and shift run in single precision, with the mean split into a float and the float
    /// of its remainder: <c>x − μ_hi</c> is exact when x is near μ, so rounding μ to float costs nothing.
    /// </remarks>
    /// <param name="x">R × N values, row-major; its length must be a multiple of N.</param>
    /// <param name="gamma">N scales, N ≥ 1.</param>
    /// <param name="beta">N shifts.</param>
    /// <param name="destination">R × N outputs; may be exactly <paramref name="x"/>, must not overlap γ or β.</param>
    /// <param name="epsilon">ε ≥ 0 added to the variance (BERT 1e-12, GPT-2 and OPT 1e-5).</param>
    public static void Apply(
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta,
        Span<float> destination,
        float epsilon = 1e-12f)
    {
        if (gamma.IsEmpty)
        {
            throw new ArgumentException("gamma is empty; the row length N is gamma.Length and must be at least 1.", nameof(gamma));
        }

        SpanChecks.ThrowIfLengthDiffers(gamma.Length, beta.Length, nameof(beta), nameof(gamma));
        var rows = SpanChecks.RowsOf(x.Length, gamma.Length, nameof(x), "gamma length");
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        if (!(epsilon >= 0f) || float.IsInfinity(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a finite value ≥ 0.");
        }

        SpanChecks.ThrowIfPartialOverlap(x, destination, nameof(x));
        SpanChecks.ThrowIfOverlap(gamma, destination, nameof(gamma));
        SpanChecks.ThrowIfOverlap(beta, destination, nameof(beta));

        var n = gamma.Length;
        for (var r = 0; r < rows; r++)
        {
            var row = x.Slice(r * n, n);
            var mean = Sum(row) / n;
            var variance = SumOfSquaredDeviations(row, mean) / n;
            var inverseDeviation = (float)(1.0 / Math.Sqrt(variance + epsilon));
            var meanHigh = (float)mean;
            var meanLow = (float)(mean - meanHigh);
            Normalize(row, meanHigh, meanLow, inverseDeviation, gamma, beta, destination.Slice(r * n, n));
        }
    }

    private static double Sum(ReadOnlySpan<float> row)
    {
        ref var start = ref MemoryMarshal.GetReference(row);
        var low = Vector<double>.Zero;
        var high = Vector<double>.Zero;
        var i = 0;
        for (; i <= row.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = Vector.LoadUnsafe(ref start, (nuint)i);
            low += Vector.WidenLower(v);
            high += Vector.WidenUpper(v);
        }

        var sum = Vector.Sum(low + high);
        for (; i < row.Length; i++)
        {
            sum += row[i];
        }

        return sum;
    }

    private static double SumOfSquaredDeviations(ReadOnlySpan<float> row, double mean)
    {
        ref var start = ref MemoryMarshal.GetReference(row);
        var meanVector = new Vector<double>(mean);
        var low = Vector<double>.Zero;
        var high = Vector<double>.Zero;
        var i = 0;
        for (; i <= row.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = Vector.LoadUnsafe(ref start, (nuint)i);
            var lowDeviation = Vector.WidenLower(v) - meanVector;
            var highDeviation = Vector.WidenUpper(v) - meanVector;
            low = Vector.MultiplyAddEstimate(lowDeviation, lowDeviation, low);
            high = Vector.MultiplyAddEstimate(highDeviation, highDeviation, high);
        }

        var sum = Vector.Sum(low + high);
        for (; i < row.Length; i++)
        {
            var deviation = row[i] - mean;
            sum += deviation * deviation;
        }

        return sum;
    }

    // y = ((x − μ_hi) − μ_lo)·(1/σ)·γ + β; reads x[i] before writing y[i], so y may be x.
    private static void Normalize(
        ReadOnlySpan<float> row,
        float meanHigh,
        float meanLow,
        float inverseDeviation,
        ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta,
        Span<float> destination)
    {
        ref var rowStart = ref MemoryMarshal.GetReference(row);
        ref var gammaStart = ref MemoryMarshal.GetReference(gamma);
        ref var betaStart = ref MemoryMarshal.GetReference(beta);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        var meanHighVector = new Vector<float>(meanHigh);
        var meanLowVector = new Vector<float>(meanLow);
        var scaleVector = new Vector<float>(inverseDeviation);
        var i = 0;
        for (; i <= row.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var normalized = (Vector.LoadUnsafe(ref rowStart, (nuint)i) - meanHighVector - meanLowVector) * scaleVector;
            Vector.MultiplyAddEstimate(normalized, Vector.LoadUnsafe(ref gammaStart, (nuint)i), Vector.LoadUnsafe(ref betaStart, (nuint)i))
                .StoreUnsafe(ref destinationStart, (nuint)i);
        }

        // The tail repeats the vector body's operations and roundings, including the multiply-add being
        // fused exactly where Vector.MultiplyAddEstimate is.
        for (; i < row.Length; i++)
        {
            var normalized = (row[i] - meanHigh - meanLow) * inverseDeviation;
            destination[i] = float.MultiplyAddEstimate(normalized, gamma[i], beta[i]);
        }
    }
}
