using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Gaussian error linear unit, element-wise: <c>y = x·Φ(x)</c> for the exact form (BERT) or the
/// tanh approximation of it (GPT-2). Input and destination are any shape of n elements.
/// </summary>
public static class Gelu
{
    /// <summary>
    /// Exact GELU: <c>y = 0.5·x·(1 + erf(x/√2))</c>, element-wise over n elements.
    /// </summary>
    /// <remarks>
    /// erf is the single-precision rational approximation <c>erf(z) ≈ z·P(z²)/Q(z²)</c> on
    /// <c>z ∈ [−4, 4]</c> (beyond that erf is ±1 in single precision), with the published coefficients
    /// of Eigen's <c>generic_fast_erf_float</c>, which XLA and TVM use as well; it is within a few
    /// float ulps of erf, so y is within about <c>1e-7·(1 + |x|)</c> of the exact value.
    /// </remarks>
    /// <param name="x">n inputs.</param>
    /// <param name="destination">n outputs; may be exactly <paramref name="x"/> (in place).</param>
    public static void Erf(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckArguments(x, destination);
        ElementwiseMap.Apply<ErfForm>(x, destination);
    }

    /// <summary>
    /// Tanh-approximated GELU (GPT-2's <c>gelu_new</c>):
    /// <c>y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>, element-wise over n elements.
    /// </summary>
    /// <remarks>
    /// Evaluated as <c>x / (1 + exp(−2u))</c> with <c>u = √(2/π)·(x + 0.044715·x³)</c>, the same
    /// function since <c>0.5·(1 + tanh u) = 1/(1 + e^(−2u))</c>, but with one exp and no cancellation
    /// for negative x.
    /// </remarks>
    /// <param name="x">n inputs.</param>
    /// <param name="destination">n outputs; may be exactly <paramref name="x"/> (in place).</param>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckArguments(x, destination);
        ElementwiseMap.Apply<TanhForm>(x, destination);
    }

    private static void CheckArguments(ReadOnlySpan<float> x, Span<float> destination)
    {
        SpanChecks.ThrowIfLengthDiffers(x.Length, destination.Length, nameof(destination), nameof(x));
        SpanChecks.ThrowIfPartialOverlap(x, destination, nameof(x));
    }

    private readonly struct ErfForm : IElementwiseFunction
    {
        private const float InverseSqrt2 = 0.707106781186547524f;

        // Numerator (odd powers) and denominator (even powers) of erf(z) ≈ z·P(z²)/Q(z²), from Eigen.
        private const float Alpha1 = -1.60960333262415e-02f;
        private const float Alpha3 = -2.95459980854025e-03f;
        private const float Alpha5 = -7.34990630326855e-04f;
        private const float Alpha7 = -5.69250639462346e-05f;
        private const float Alpha9 = -2.10102402082508e-06f;
        private const float Alpha11 = 2.77068142495902e-08f;
        private const float Alpha13 = -2.72614225801306e-10f;
        private const float Beta0 = -1.42647390514189e-02f;
        private const float Beta2 = -7.37332916720468e-03f;
        private const float Beta4 = -1.68282697438203e-03f;
        private const float Beta6 = -2.13374055278905e-04f;
        private const float Beta8 = -1.45660718464996e-05f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Invoke(Vector<float> x)
        {
            var z = Vector.Clamp(x * InverseSqrt2, new Vector<float>(-4f), new Vector<float>(4f));
            var z2 = z * z;
            var p = Vector.MultiplyAddEstimate(z2, new Vector<float>(Alpha13), new Vector<float>(Alpha11));
            p = Vector.MultiplyAddEstimate(z2, p, new Vector<float>(Alpha9));
            p = Vector.MultiplyAddEstimate(z2, p, new Vector<float>(Alpha7));
            p = Vector.MultiplyAddEstimate(z2, p, new Vector<float>(Alpha5));
            p = Vector.MultiplyAddEstimate(z2, p, new Vector<float>(Alpha3));
            p = Vector.MultiplyAddEstimate(z2, p, new Vector<float>(Alpha1));
            var q = Vector.MultiplyAddEstimate(z2, new Vector<float>(Beta8), new Vector<float>(Beta6));
            q = Vector.MultiplyAddEstimate(z2, q, new Vector<float>(Beta4));
            q = Vector.MultiplyAddEstimate(z2, q, new Vector<float>(Beta2));
            q = Vector.MultiplyAddEstimate(z2, q, new Vector<float>(Beta0));
            var erf = z * p / q;
            return 0.5f * x * (Vector<float>.One + erf);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
        {
            var z = Vector512.Clamp(x * InverseSqrt2, Vector512.Create(-4f), Vector512.Create(4f));
            var z2 = z * z;
            var p = Vector512.MultiplyAddEstimate(z2, Vector512.Create(Alpha13), Vector512.Create(Alpha11));
            p = Vector512.MultiplyAddEstimate(z2, p, Vector512.Create(Alpha9));
            p = Vector512.MultiplyAddEstimate(z2, p, Vector512.Create(Alpha7));
            p = Vector512.MultiplyAddEstimate(z2, p, Vector512.Create(Alpha5));
            p = Vector512.MultiplyAddEstimate(z2, p, Vector512.Create(Alpha3));
            p = Vector512.MultiplyAddEstimate(z2, p, Vector512.Create(Alpha1));
            var q = Vector512.MultiplyAddEstimate(z2, Vector512.Create(Beta8), Vector512.Create(Beta6));
            q = Vector512.MultiplyAddEstimate(z2, q, Vector512.Create(Beta4));
            q = Vector512.MultiplyAddEstimate(z2, q, Vector512.Create(Beta2));
            q = Vector512.MultiplyAddEstimate(z2, q, Vector512.Create(Beta0));
            var erf = z * p / q;
            return 0.5f * x * (Vector512<float>.One + erf);
        }
    }

    private readonly struct TanhForm : IElementwiseFunction
    {
        private const float Sqrt2OverPi = 0.797884560802865356f;
        private const float CubicCoefficient = 0.044715f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Invoke(Vector<float> x)
        {
            // −2u = x·(−2√(2/π) − 2√(2/π)·0.044715·x²)
            var minusTwoU = x * Vector.MultiplyAddEstimate(
                x * x,
                new Vector<float>(-2f * Sqrt2OverPi * CubicCoefficient),
                new Vector<float>(-2f * Sqrt2OverPi));
            return x / (Vector<float>.One + FastExp.Exp(minusTwoU));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
        {
            var minusTwoU = x * Vector512.MultiplyAddEstimate(
                x * x,
                Vector512.Create(-2f * Sqrt2OverPi * CubicCoefficient),
                Vector512.Create(-2f * Sqrt2OverPi));
            return x / (Vector512<float>.One + FastExp.Exp(minusTwoU));
        }
    }
}
