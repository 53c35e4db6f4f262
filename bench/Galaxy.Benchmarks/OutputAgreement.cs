namespace Galaxy.Benchmarks;

/// <summary>Checks that two implementations of the same kernel agree (each is the other's oracle).</summary>
public static class OutputAgreement
{
    /// <summary>The largest relative error the GEMM benchmark accepts between Galaxy and the anchor.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>
    /// The largest absolute error the op benchmarks accept between Galaxy and the anchor. Their outputs are
    /// of order one (normalised rows, probabilities, GELU of inputs in [−5, 5), averages of values in [−1, 1)),
    /// so this is about a thousand float ulps of a typical output.
    /// </summary>
    public const double AbsoluteTolerance = 1e-4;

    /// <summary>
    /// <c>max_i |actual_i − expected_i| / max(|expected_i|, rms(expected))</c>. The floor at the
    /// root-mean-square keeps outputs that happen to sum to almost zero from dominating: both sides
    /// add K products in different orders, so their absolute error scales with the typical output,
    /// not with that one element.
    /// </summary>
    public static double WorstRelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"Outputs differ in length: {actual.Length} vs {expected.Length}.", nameof(actual));
        }

        var sumOfSquares = 0.0;
        foreach (var value in expected)
        {
            sumOfSquares += (double)value * value;
        }

        var floor = Math.Max(Math.Sqrt(sumOfSquares / Math.Max(expected.Length, 1)), double.Epsilon);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs((double)actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), floor);
            worst = Math.Max(worst, error);
        }

        return worst;
    }

    /// <summary><c>max_i |actual_i − expected_i|</c>; NaN when either side has a NaN (or both the same infinity), so it fails any tolerance.</summary>
    public static double WorstAbsoluteError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"Outputs differ in length: {actual.Length} vs {expected.Length}.", nameof(actual));
        }

        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i])); // Math.Max propagates NaN
        }

        return worst;
    }

    /// <summary>
    /// Runs both sides once and compares their outputs with <see cref="AbsoluteTolerance"/>; on a mismatch
    /// adds a line naming <paramref name="name"/> and <paramref name="output"/> to <paramref name="mismatches"/>
    /// and returns false (the case is then not timed).
    /// </summary>
    public static bool AgreeAbsolutely(string name, string output, IKernelRunner galaxy, IKernelRunner anchor, List<string> mismatches, out double error)
    {
        ArgumentNullException.ThrowIfNull(galaxy);
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(mismatches);
        galaxy.Run();
        anchor.Run();
        error = WorstAbsoluteError(galaxy.Output, anchor.Output);
        if (error <= AbsoluteTolerance)
        {
            return true;
        }

        mismatches.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}: {output} max abs error {error:G3} exceeds {AbsoluteTolerance:G3}"));
        return false;
    }
}
