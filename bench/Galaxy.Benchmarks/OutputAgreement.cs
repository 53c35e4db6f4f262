namespace Galaxy.Benchmarks;

/// <summary>Checks that two implementations of the same kernel agree (each is the other's oracle).</summary>
public static class OutputAgreement
{
    /// <summary>The largest relative error the benchmark accepts between Galaxy and the anchor.</summary>
    public const double Tolerance = 1e-3;

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
}
