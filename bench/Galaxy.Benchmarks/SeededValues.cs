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

    /// <summary>
    /// A tokenized sequence of <paramref name="length"/> ids: <paramref name="first"/>, then ids uniform over the
    /// whole vocabulary [0, <paramref name="vocabularySize"/>), then <paramref name="last"/> (BERT's [CLS] … [SEP]).
    /// </summary>
    public static int[] TokenIds(Random random, int length, int vocabularySize, int first, int last)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        var ids = new int[length];
        ids[0] = first;
        for (var i = 1; i < length - 1; i++)
        {
            ids[i] = random.Next(vocabularySize);
        }

        ids[^1] = last;
        return ids;
    }
}
