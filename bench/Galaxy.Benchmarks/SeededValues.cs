namespace Galaxy.Benchmarks;

/// <summary>Benchmark inputs drawn from a seeded <see cref="Random"/>: the same seed gives the same numbers on every machine.</summary>
public static class SeededValues
{
    /// <summary><paramref name="length"/> values uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static float[] Uniform(Random random, int length, float low = -1, float high = 1)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(low + (random.NextDouble() * (high - low)));
        }

        return values;
    }
}
