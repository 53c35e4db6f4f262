namespace Galaxy.Client.Evaluation;

/// <summary>Medians and quartiles of runs, and the cells' summaries.</summary>
public static class EvaluationStatistics
{
    /// <summary>
    /// The <paramref name="quantile"/> (0…1) of <paramref name="values"/> by linear interpolation between order statistics
    /// (the "R-7" definition: position q·(n−1) in the sorted values).
    /// </summary>
    /// <exception cref="ArgumentException">No values, a NaN value, or a quantile outside 0…1.</exception>
    public static double Quantile(IReadOnlyList<double> values, double quantile)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("A quantile needs at least one value.", nameof(values));
        }

        if (quantile is < 0 or > 1 || double.IsNaN(quantile))
        {
            throw new ArgumentException($"The quantile must be 0…1, got {quantile}.", nameof(quantile));
        }

        if (values.Any(double.IsNaN))
        {
            throw new ArgumentException("The values contain NaN.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var position = quantile * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values) => Quantile(values, 0.5);

    /// <summary>One summary per cell of <paramref name="samples"/>: groups in the order they first appear, modes in <see cref="ModeNames.All"/>'s order within a group.</summary>
    public static IReadOnlyList<CellSummary> Summarize(IEnumerable<EvaluationSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var modeOrder = ModeNames.All.Select(ModeNames.Name).ToList();
        var cells = Cells(samples);
        var groups = cells.Select(c => c.Group).Distinct().ToList();
        return [.. cells.OrderBy(c => groups.IndexOf(c.Group)).ThenBy(c => modeOrder.IndexOf(c.Mode) is var i and >= 0 ? i : int.MaxValue)];
    }

    private static List<CellSummary> Cells(IEnumerable<EvaluationSample> samples)
    {
        return [.. samples
            .GroupBy(s => (s.Setup, s.ClusterDevices, s.Bandwidth, s.Model, s.Sequence, s.Mode))
            .Select(cell =>
            {
                var first = cell.First();
                var ran = cell.Where(s => s.Fits).ToList();
                if (ran.Count == 0)
                {
                    return new CellSummary(first.Setup, first.ClusterDevices, first.Bandwidth, first.Model, first.Sequence, first.Mode, 0, 0, 0, 0, 0, 0, 0,
                        first.Oom ?? "does not fit", [], null);
                }

                var walls = ran.Select(s => s.WallMilliseconds).ToList();
                var differences = ran.Where(s => s.MaxAbsoluteDifference is not null).Select(s => s.MaxAbsoluteDifference!.Value).ToList();
                return new CellSummary(
                    first.Setup, first.ClusterDevices, first.Bandwidth, first.Model, first.Sequence, first.Mode, ran.Count,
                    Median(walls), Quantile(walls, 0.25), Quantile(walls, 0.75), walls.Min(), walls.Max(),
                    Median([.. ran.Select(s => s.PredictedMilliseconds)]), null, ran[0].Devices,
                    differences.Count > 0 ? differences.Max() : null);
            })];
    }
}
