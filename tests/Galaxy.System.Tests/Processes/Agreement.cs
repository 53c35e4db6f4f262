namespace Galaxy.SystemTests.Processes;

/// <summary>Distributed results against the single-device oracle.</summary>
internal static class Agreement
{
    /// <summary>Tolerance: max |Δ| ≤ 1e-5 · max(1, max |expected|), and cosine ≥ 1 − 1e-5.</summary>
    public const double Tolerance = 1e-5;

    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        var scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        var worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        double dot = 0, ee = 0, aa = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            dot += (double)expected[i] * actual[i];
            ee += (double)expected[i] * expected[i];
            aa += (double)actual[i] * actual[i];
        }

        var cosine = dot / Math.Sqrt(ee * aa);
        Assert.True(worst <= Tolerance * scale, $"{what}: max |Δ| = {worst:E2} > {Tolerance * scale:E2}");
        Assert.True(cosine >= 1 - Tolerance, $"{what}: cosine {cosine:F9} < 1 − {Tolerance:E0}");
    }
}
