using System.Globalization;
using System.Text;
using Galaxy.Silo;

namespace Galaxy.Client.Evaluation;

/// <summary>The Markdown report of an evaluation: setups, one table per setup (median and spread per cell), speedups, the targets, mispredicted cells, plots.</summary>
public static class EvaluationReport
{
    /// <summary>The report of <paramref name="results"/>, linking <paramref name="plots"/> (file names beside the report).</summary>
    public static string Markdown(EvaluationResults results, IReadOnlyList<EvaluationPlot> plots)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(plots);
        var text = new StringBuilder();
        Line(text, $"# Galaxy evaluation on the edge testbed");
        Line(text);
        Line(text, $"Generated {results.Generated:yyyy-MM-dd HH:mm} UTC on a {results.Cores}-core machine by `{results.Command}`.");
        Line(text, $"Latency is the coordinator's time from fan-out to the assembled hidden state (S × H), median of the recorded runs;");
        Line(text, $"spread is the interquartile range (p25–p75) and min–max. \"predicted\" is the planner's cost model for the plan it made.");
        Line(text);
        foreach (var setup in results.Setups)
        {
            WriteSetup(text, setup, results.Cells.Where(c => c.Setup == setup.Name).ToList(), plots.Where(p => p.Setup == setup.Name).ToList());
        }

        Line(text, $"## Targets");
        Line(text);
        Line(text, $"| target | cells | measured | verdict |");
        Line(text, $"| --- | --- | --- | --- |");
        foreach (var check in EvaluationTargets.Check(results.Setups, results.Cells))
        {
            Line(text, $"| {check.Target} | {check.Where} | {check.Measured} | {check.Verdict} |");
        }

        Line(text);
        var outside = EvaluationTargets.MispredictedCells(results.Cells);
        Line(text, $"### Cells whose prediction is off by more than 25 %");
        Line(text);
        if (outside.Count == 0)
        {
            Line(text, $"None.");
        }
        else
        {
            Line(text, $"| setup | devices | links | model | S | mode | measured ms | predicted ms | error |");
            Line(text, $"| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var cell in outside)
            {
                var setup = results.Setups.FirstOrDefault(s => s.Name == cell.Setup);
                Line(text, $"| {cell.Setup} | {cell.ClusterDevices} | {EvaluationTargets.Links(setup, cell.Bandwidth)} | {cell.Model} | {cell.Sequence} | {cell.Mode} | {cell.Median:F0} | {cell.PredictedMedian:F0} | {Percent(cell.PredictionError)} |");
            }
        }

        Line(text);
        return text.ToString();
    }

    private static void WriteSetup(StringBuilder text, EvaluationSetup setup, List<CellSummary> cells, List<EvaluationPlot> plots)
    {
        Line(text, $"## Setup `{setup.Name}`");
        Line(text);
        if (setup.Description.Length > 0)
        {
            Line(text, $"{setup.Description}");
            Line(text);
        }

        Line(text, $"| device | CPU (of one core) | link | one-way delay | memory budget |");
        Line(text, $"| --- | --- | --- | --- | --- |");
        foreach (var device in setup.Devices)
        {
            var memory = device.MemoryBudgetBytes is { } bytes ? ByteSize.Format(bytes) : "detected";
            Line(text, $"| {device.Name} | {device.CpuPercent:0.#}% | {device.Link} | {device.Delay} | {memory} |");
        }

        Line(text);
        if (setup.IsSweep)
        {
            Line(text, $"Device counts: {string.Join(", ", setup.Counts)} (the first k devices above).");
            Line(text);
        }

        Line(text, $"| devices | links | model | S | mode | median ms | p25–p75 | min–max | runs | predicted ms | error | devices used | max abs diff |");
        Line(text, $"| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var cell in cells)
        {
            var links = EvaluationTargets.Links(setup, cell.Bandwidth);
            if (!cell.Ran)
            {
                Line(text, $"| {cell.ClusterDevices} | {links} | {cell.Model} | {cell.Sequence} | {cell.Mode} | OOM | | | 0 | | | {Escape(cell.Oom ?? string.Empty)} | |");
                continue;
            }

            var difference = cell.MaxAbsoluteDifference is { } d ? d.ToString("0.0e+0", CultureInfo.InvariantCulture) : "ref";
            Line(text, $"| {cell.ClusterDevices} | {links} | {cell.Model} | {cell.Sequence} | {cell.Mode} | {cell.Median:F0} | {cell.Lower:F0}–{cell.Upper:F0} | {cell.Min:F0}–{cell.Max:F0} | {cell.Runs} | {cell.PredictedMedian:F0} | {Percent(cell.PredictionError)} | {string.Join(", ", cell.Devices)} | {difference} |");
        }

        Line(text);
        var groups = cells.GroupBy(c => c.Group).ToList();
        if (groups.Any(g => g.Any(c => c.Mode == "galaxy" && c.Ran)))
        {
            Line(text, $"Galaxy's speedup (baseline median / Galaxy median):");
            Line(text);
            Line(text, $"| devices | links | model | S | vs local | vs megatron | vs sp | vs galaxy-no-overlap |");
            Line(text, $"| --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var group in groups)
            {
                var galaxy = group.FirstOrDefault(c => c.Mode == "galaxy" && c.Ran);
                if (galaxy is null)
                {
                    continue;
                }

                string Against(string mode) => group.FirstOrDefault(c => c.Mode == mode) switch
                {
                    null => "—",
                    { Ran: false } => "OOM",
                    var baseline => (baseline.Median / galaxy.Median).ToString("0.00×", CultureInfo.InvariantCulture),
                };
                Line(text, $"| {group.Key.ClusterDevices} | {EvaluationTargets.Links(setup, group.Key.Bandwidth)} | {group.Key.Model} | {group.Key.Sequence} | {Against("local")} | {Against("megatron")} | {Against("sp")} | {Against("galaxy-no-overlap")} |");
            }

            Line(text);
        }

        foreach (var plot in plots)
        {
            Line(text, $"![{plot.Title}]({plot.Png}) ([SVG]({plot.Svg}))");
            Line(text);
        }
    }

    /// <summary>A relative difference as a signed whole percentage: "+27%", "-3%", "0%".</summary>
    public static string Percent(double fraction)
    {
        var percent = Math.Round(fraction * 100);
        return percent == 0 ? "0%" : percent.ToString("+0;-0", CultureInfo.InvariantCulture) + "%";
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    private static void Line(StringBuilder text, FormattableString? line = null) =>
        text.Append(line?.ToString(CultureInfo.InvariantCulture) ?? string.Empty).Append('\n');
}
