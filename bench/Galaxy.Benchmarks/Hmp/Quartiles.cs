namespace Galaxy.Benchmarks.Hmp;

/// <summary>First quartile, median and third quartile of a set of values.</summary>
public readonly record struct Quartiles(double First, double Median, double Third)
{
    /// <summary>The quartiles of <paramref name="values"/> (linear interpolation between order statistics); NaNs when empty.</summary>
    public static Quartiles Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        return new Quartiles(Quantile(sorted, 0.25), Quantile(sorted, 0.5), Quantile(sorted, 0.75));
    }

    /// <summary>Interquartile range over the median (0 when the median is not positive).</summary>
    public double RelativeSpread => Median > 0 ? (Third - First) / Median : 0;

    private static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }
}
