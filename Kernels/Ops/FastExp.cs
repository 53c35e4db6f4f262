using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Single-precision <c>e^x</c> of every lane of a vector, within 1 ulp of the correctly rounded result
/// over the whole float range: 0 below about −103.97 (and for −∞), +∞ above about 88.72 (and for +∞),
/// subnormal results in between, NaN for NaN.
/// </summary>
/// <remarks>
/// <para>
/// Range reduction (Cody–Waite): <c>x = n·ln2 + r</c> with n the integer nearest <c>x·log₂e</c> and
/// <c>|r| ≤ ln2/2</c>, so <c>e^x = 2ⁿ·e^r</c>. ln2 is split as <see cref="Ln2High"/> + <see cref="Ln2Low"/>:
/// the high part has 15 significant bits, so <c>n·Ln2High</c> and <c>x − n·Ln2High</c> are exact for
/// |n| &lt; 512, and r carries the full precision of x.
/// </para>
/// <para>
/// <c>e^r ≈ 1 + r + c₂r² + … + c₆r⁶</c>, with c₂…c₆ from interpolating <c>(e^r − 1 − r)/r²</c> at the
/// five Chebyshev nodes of [−ln2/2, ln2/2]: relative error 1.1e-8 in exact arithmetic, about 0.6 ulp
/// once evaluated in float by Horner's rule.
/// </para>
/// <para>
/// Scaling by 2ⁿ: adding <c>1.5·2²³</c> to <c>x·log₂e</c> rounds it to the integer n and leaves n in
/// the low mantissa bits (the sum lies in [2²³, 2²⁴), where the float spacing is 1). Shifting those bits
/// left by 23 gives <c>n·2²³</c> (the bits of 1.5·2²³ shift out), which added to the bits of <c>e^r</c>
/// multiplies it by 2ⁿ exactly whenever the result is a normal float. That is guaranteed when every
/// lane has |x| &lt; 87; otherwise (masked scores, saturated activations, NaN) a slower path clamps x to
/// [−104, 89], where n ∈ [−150, 128], and multiplies by <c>2^⌊n/2⌋</c> and <c>2^(n − ⌊n/2⌋)</c> in turn:
/// both factors are normal, the first product is exact, and the second rounds once into the subnormal
/// range or overflows to +∞.
/// </para>
/// <para>
/// Multiply-adds use <c>MultiplyAddEstimate</c>: fused where the hardware has FMA (x64 with AVX2, every
/// ARM64), separate otherwise. Both are within the stated error; the exact split of ln2 keeps the
/// reduction exact without fusion.
/// </para>
/// </remarks>
internal static class FastExp
{
    private const float Log2E = 1.44269504088896341f;

    // 0x3F317200: ln2 rounded to 15 significant bits, and the float nearest ln2 minus it.
    private const float Ln2High = 0.693145751953125f;
    private const float Ln2Low = 1.42860682030941723e-6f;

    // 1.5·2²³: x·log₂e + RoundingShift lies in [2²³, 2²⁴) and is therefore rounded to an integer.
    private const float RoundingShift = 12582912f;

    private const float C2 = 0.5f;
    private const float C3 = 0.166665769897f;
    private const float C4 = 0.0416665546172f;
    private const float C5 = 0.00836317905273f;
    private const float C6 = 0.00139261835879f;

    /// <summary>Below this |x| every result is a normal float, so 2ⁿ can be applied to the exponent bits.</summary>
    public const float InRangeLimit = 87f;

    // e^−104 < 2^−150 rounds to 0 and e^89 overflows; clamping there keeps n ∈ [−150, 128].
    private const float ClampLow = -104f;
    private const float ClampHigh = 89f;

    private const int ExponentShift = 23;
    private const int ExponentBias = 127;

    /// <summary><c>e^x</c> of every lane; see the class remarks for accuracy and special values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x) =>
        Vector.LessThanAll(Vector.Abs(x), new Vector<float>(InRangeLimit)) ? ExpInRange(x) : ExpAnyRange(x);

    /// <summary><c>e^x</c> of every lane; the same formula and accuracy as the <see cref="Vector{T}"/> overload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x) =>
        Vector512.LessThanAll(Vector512.Abs(x), Vector512.Create(InRangeLimit)) ? ExpInRange(x) : ExpAnyRange(x);

    /// <summary>
    /// <c>e^x</c> of lanes the caller knows satisfy <c>|x| &lt; </c><see cref="InRangeLimit"/>: the fast
    /// path of <see cref="Exp(Vector{float})"/> without its check. NaN or out-of-range lanes give garbage.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ExpInRange(Vector<float> x)
    {
        var shifted = Vector.MultiplyAddEstimate(x, new Vector<float>(Log2E), new Vector<float>(RoundingShift));
        var expR = ExpOfRemainder(x, shifted - new Vector<float>(RoundingShift));
        return Vector.AsVectorSingle(Vector.AsVectorInt32(expR) + Vector.ShiftLeft(Vector.AsVectorInt32(shifted), ExponentShift));
    }

    /// <summary><c>e^x</c> of lanes known to satisfy <c>|x| &lt; </c><see cref="InRangeLimit"/>; see the <see cref="Vector{T}"/> overload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpInRange(Vector512<float> x)
    {
        var shifted = Vector512.MultiplyAddEstimate(x, Vector512.Create(Log2E), Vector512.Create(RoundingShift));
        var expR = ExpOfRemainder(x, shifted - Vector512.Create(RoundingShift));
        return (expR.AsInt32() + Vector512.ShiftLeft(shifted.AsInt32(), ExponentShift)).AsSingle();
    }

    // Inlined rather than called: a call returning a vector makes the JIT keep the fast path's result
    // in memory too.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpAnyRange(Vector<float> x)
    {
        var clamped = Vector.Clamp(x, new Vector<float>(ClampLow), new Vector<float>(ClampHigh));
        var shifted = Vector.MultiplyAddEstimate(clamped, new Vector<float>(Log2E), new Vector<float>(RoundingShift));
        var expR = ExpOfRemainder(clamped, shifted - new Vector<float>(RoundingShift));
        var n = Vector.AsVectorInt32(shifted) - Vector.AsVectorInt32(new Vector<float>(RoundingShift));
        var firstHalf = Vector.ShiftRightArithmetic(n, 1);
        var firstScale = Vector.AsVectorSingle(Vector.ShiftLeft(firstHalf + new Vector<int>(ExponentBias), ExponentShift));
        var secondScale = Vector.AsVectorSingle(Vector.ShiftLeft(n - firstHalf + new Vector<int>(ExponentBias), ExponentShift));
        var result = expR * firstScale * secondScale;
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpAnyRange(Vector512<float> x)
    {
        var clamped = Vector512.Clamp(x, Vector512.Create(ClampLow), Vector512.Create(ClampHigh));
        var shifted = Vector512.MultiplyAddEstimate(clamped, Vector512.Create(Log2E), Vector512.Create(RoundingShift));
        var expR = ExpOfRemainder(clamped, shifted - Vector512.Create(RoundingShift));
        var n = shifted.AsInt32() - Vector512.Create(RoundingShift).AsInt32();
        var firstHalf = Vector512.ShiftRightArithmetic(n, 1);
        var firstScale = Vector512.ShiftLeft(firstHalf + Vector512.Create(ExponentBias), ExponentShift).AsSingle();
        var secondScale = Vector512.ShiftLeft(n - firstHalf + Vector512.Create(ExponentBias), ExponentShift).AsSingle();
        var result = expR * firstScale * secondScale;
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }

    // r = x − n·ln2 (two steps), then e^r by Horner's rule.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpOfRemainder(Vector<float> x, Vector<float> n)
    {
        var r = Vector.MultiplyAddEstimate(n, new Vector<float>(-Ln2High), x);
        r = Vector.MultiplyAddEstimate(n, new Vector<float>(-Ln2Low), r);
        var p = Vector.MultiplyAddEstimate(new Vector<float>(C6), r, new Vector<float>(C5));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(C4));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(C3));
        p = Vector.MultiplyAddEstimate(p, r, new Vector<float>(C2));
        p = Vector.MultiplyAddEstimate(p, r, Vector<float>.One);
        return Vector.MultiplyAddEstimate(p, r, Vector<float>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpOfRemainder(Vector512<float> x, Vector512<float> n)
    {
        var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2High), x);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2Low), r);
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(C6), r, Vector512.Create(C5));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(C4));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(C3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(C2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512<float>.One);
        return Vector512.MultiplyAddEstimate(p, r, Vector512<float>.One);
    }
}
