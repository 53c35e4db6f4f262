using System.Globalization;

namespace Galaxy.Client.Evaluation;

/// <summary>
/// The targets, checked on the cells measured: speedups of Galaxy on the heterogeneous setup at 1 Gbit/s
/// (BERT-large, 256 tokens), overlap and never-slower-than-local at 100 Mbit/s, predictions within 25 %, and no slowdown
/// when a device is added in a sweep.
/// </summary>
public static class EvaluationTargets
{
    /// <summary>Largest relative error of a prediction that counts as accurate.</summary>
    public const double PredictionTolerance = 0.25;

    /// <summary>The links a cell ran on, for people: the bandwidth every device had, the setup's one rate, or "mixed".</summary>
    public static string Links(EvaluationSetup? setup, string bandwidth)
    {
        if (bandwidth != EvaluationGrid.SetupLinks || setup is null)
        {
            return bandwidth;
        }

        var rates = setup.Devices.Select(d => d.Link).Distinct().ToList();
        return rates.Count == 1 ? rates[0] : "mixed";
    }

    /// <summary>Whether the setup's devices have unequal CPU shares.</summary>
    public static bool IsHeterogeneous(EvaluationSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return setup.Devices.Select(d => d.CpuPercent).Distinct().Count() > 1;
    }

    /// <summary>Every target, checked on <paramref name="cells"/> of <paramref name="setups"/>.</summary>
    public static IReadOnlyList<TargetCheck> Check(IReadOnlyList<EvaluationSetup> setups, IReadOnlyList<CellSummary> cells)
    {
        ArgumentNullException.ThrowIfNull(setups);
        ArgumentNullException.ThrowIfNull(cells);
        var checks = new List<TargetCheck>();
        checks.AddRange(Heterogeneous(setups, cells));
        checks.AddRange(SlowLinks(setups, cells));
        checks.Add(Predictions(cells));
        checks.AddRange(Sweeps(setups, cells));
        return checks;
    }

    /// <summary>The cells that ran with a prediction off the measured median by more than <see cref="PredictionTolerance"/>.</summary>
    public static IReadOnlyList<CellSummary> MispredictedCells(IReadOnlyList<CellSummary> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return [.. cells.Where(c => c.Ran && c.PredictedMedian > 0 && Math.Abs(c.PredictionError) > PredictionTolerance)];
    }

    private static IEnumerable<TargetCheck> Heterogeneous(IReadOnlyList<EvaluationSetup> setups, IReadOnlyList<CellSummary> cells)
    {
        const string Target = "heterogeneous, 1 Gbit/s, BERT-large S=256: Galaxy ≥ 1.8× the fastest single device and ≥ 1.4× uniform Megatron TP";
        var found = false;
        foreach (var setup in setups.Where(s => IsHeterogeneous(s) && !s.IsSweep))
        {
            foreach (var group in Groups(cells, setup).Where(g => Links(setup, g.Key.Bandwidth) == "1gbit" && g.Key.Model == "bert-large" && g.Key.Sequence == 256))
            {
                found = true;
                var galaxy = Find(group, "galaxy");
                var local = Find(group, "local");
                var megatron = Find(group, "megatron");
                var where = Where(setup, group.Key);
                if (galaxy is null || local is null || megatron is null)
                {
                    yield return new TargetCheck(Target, where, "galaxy, local or megatron did not run (OOM or not in the grid)", null);
                    continue;
                }

                var overLocal = local.Median / galaxy.Median;
                var overMegatron = megatron.Median / galaxy.Median;
                yield return new TargetCheck(
                    Target,
                    where,
                    Invariant($"galaxy {galaxy.Median:F0} ms; local {local.Median:F0} ms ({overLocal:F2}×); megatron {megatron.Median:F0} ms ({overMegatron:F2}×)"),
                    overLocal >= 1.8 && overMegatron >= 1.4);
            }
        }

        if (!found)
        {
            yield return new TargetCheck(Target, "—", "no heterogeneous setup ran BERT-large at S=256 on 1 Gbit/s links", null);
        }
    }

    private static IEnumerable<TargetCheck> SlowLinks(IReadOnlyList<EvaluationSetup> setups, IReadOnlyList<CellSummary> cells)
    {
        const string Overlap = "100 Mbit/s: Galaxy with overlap ≥ 1.3× Galaxy without";
        const string NeverSlower = "100 Mbit/s: Galaxy never slower than the fastest single device";
        var overlapFound = false;
        var localFound = false;
        foreach (var setup in setups.Where(s => !s.IsSweep))
        {
            foreach (var group in Groups(cells, setup).Where(g => Links(setup, g.Key.Bandwidth) == "100mbit"))
            {
                var galaxy = Find(group, "galaxy");
                if (galaxy is null)
                {
                    continue;
                }

                var where = Where(setup, group.Key);
                if (Find(group, "galaxy-no-overlap") is { } plain)
                {
                    overlapFound = true;
                    var gain = plain.Median / galaxy.Median;
                    var measured = Invariant($"galaxy {galaxy.Median:F0} ms on {string.Join('+', galaxy.Devices)}; without overlap {plain.Median:F0} ms ({gain:F2}×)");
                    yield return galaxy.Devices.Count == 1
                        ? new TargetCheck(Overlap, where, measured + " — not applicable: the planner kept one device, so there is nothing to overlap", null)
                        : new TargetCheck(Overlap, where, measured, gain >= 1.3);
                }

                if (Find(group, "local") is { } local)
                {
                    localFound = true;
                    var same = galaxy.Devices.SequenceEqual(local.Devices);
                    var measured = Invariant($"galaxy {galaxy.Median:F0} ms on {string.Join('+', galaxy.Devices)}; local {local.Median:F0} ms on {string.Join('+', local.Devices)} ({local.Median / galaxy.Median:F2}×)");
                    yield return same
                        ? new TargetCheck(NeverSlower, where, measured + " — the same single-device plan (the difference is noise)", true)
                        : new TargetCheck(NeverSlower, where, measured, galaxy.Median <= local.Median);
                }
            }
        }

        if (!overlapFound)
        {
            yield return new TargetCheck(Overlap, "—", "no setup ran Galaxy with and without overlap on 100 Mbit/s links", null);
        }

        if (!localFound)
        {
            yield return new TargetCheck(NeverSlower, "—", "no setup ran Galaxy and local on 100 Mbit/s links", null);
        }
    }

    private static TargetCheck Predictions(IReadOnlyList<CellSummary> cells)
    {
        const string Target = "predicted latency within 25 % of measured in every cell";
        var predicted = cells.Where(c => c.Ran && c.PredictedMedian > 0).ToList();
        if (predicted.Count == 0)
        {
            return new TargetCheck(Target, "—", "no cell carried a prediction", null);
        }

        var outside = MispredictedCells(cells);
        var worst = predicted.MaxBy(c => Math.Abs(c.PredictionError))!;
        return new TargetCheck(
            Target,
            Invariant($"{predicted.Count} cells"),
            Invariant($"{outside.Count} outside ±25 % (listed below); worst {EvaluationReport.Percent(worst.PredictionError)} ({worst.Setup} {worst.Bandwidth} {worst.Model} S={worst.Sequence} {worst.Mode})"),
            outside.Count == 0);
    }

    private static IEnumerable<TargetCheck> Sweeps(IReadOnlyList<EvaluationSetup> setups, IReadOnlyList<CellSummary> cells)
    {
        const string Target = "adding a device never makes Galaxy slower (scalability sweep)";
        var found = false;
        foreach (var setup in setups.Where(s => s.IsSweep))
        {
            var lines = cells.Where(c => c.Setup == setup.Name && c.Mode == "galaxy" && c.Ran)
                .GroupBy(c => (c.Bandwidth, c.Model, c.Sequence));
            foreach (var line in lines)
            {
                found = true;
                var points = line.OrderBy(c => c.ClusterDevices).ToList();
                var slower = points.Zip(points.Skip(1)).Where(p => p.Second.Median > p.First.Median).ToList();
                var series = string.Join(", ", points.Select(p => Invariant($"{p.ClusterDevices}: {p.Median:F0} ms")));
                var note = slower.Count == 0
                    ? series
                    : series + "; slower at " + string.Join(", ", slower.Select(p => Invariant($"{p.Second.ClusterDevices} devices (+{(p.Second.Median / p.First.Median) - 1:0.#%})")));
                yield return new TargetCheck(Target, $"{setup.Name}, {Links(setup, line.Key.Bandwidth)}, {line.Key.Model}, S={line.Key.Sequence}", note, slower.Count == 0);
            }
        }

        if (!found)
        {
            yield return new TargetCheck(Target, "—", "no sweep setup ran Galaxy", null);
        }
    }

    private static IEnumerable<IGrouping<(string Setup, int ClusterDevices, string Bandwidth, string Model, int Sequence), CellSummary>> Groups(IReadOnlyList<CellSummary> cells, EvaluationSetup setup) =>
        cells.Where(c => c.Setup == setup.Name).GroupBy(c => c.Group);

    private static CellSummary? Find(IEnumerable<CellSummary> group, string mode) => group.FirstOrDefault(c => c.Mode == mode && c.Ran);

    private static string Where(EvaluationSetup setup, (string Setup, int ClusterDevices, string Bandwidth, string Model, int Sequence) key) =>
        $"{setup.Name} ({key.ClusterDevices} devices), {Links(setup, key.Bandwidth)}, {key.Model}, S={key.Sequence}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
