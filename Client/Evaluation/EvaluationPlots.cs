using System.Globalization;
using ScottPlot;

namespace Galaxy.Client.Evaluation;

/// <summary>
/// The evaluation's plots (ScottPlot, PNG and SVG): per setup, model and length, the median latency of each mode at
/// each link setting (bars, whiskers p25–p75, OOM marked); per sweep, the speedup against the device count.
/// </summary>
public static class EvaluationPlots
{
    private const int Width = 900;
    private const int Height = 520;

    /// <summary>Writes the plots of <paramref name="cells"/> into <paramref name="directory"/> and lists them.</summary>
    public static IReadOnlyList<EvaluationPlot> Write(IReadOnlyList<EvaluationSetup> setups, IReadOnlyList<CellSummary> cells, string directory)
    {
        ArgumentNullException.ThrowIfNull(setups);
        ArgumentNullException.ThrowIfNull(cells);
        var plots = new List<EvaluationPlot>();
        foreach (var setup in setups)
        {
            var own = cells.Where(c => c.Setup == setup.Name).ToList();
            if (setup.IsSweep)
            {
                foreach (var line in own.GroupBy(c => (c.Bandwidth, c.Model, c.Sequence)))
                {
                    plots.Add(Speedup(setup, line.Key.Bandwidth, line.Key.Model, line.Key.Sequence, [.. line], directory));
                }
            }
            else
            {
                foreach (var group in own.GroupBy(c => (c.Model, c.Sequence)))
                {
                    plots.Add(Latency(setup, group.Key.Model, group.Key.Sequence, [.. group], directory));
                }
            }
        }

        return plots;
    }

    /// <summary>Median latency per mode (bars) at each link setting (groups), whiskers p25–p75; an OOM mode gets a label instead of a bar.</summary>
    private static EvaluationPlot Latency(EvaluationSetup setup, string model, int sequence, List<CellSummary> cells, string directory)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var links = cells.Select(c => c.Bandwidth).Distinct().ToList();
        var modes = ModeNames.All.Select(ModeNames.Name).Where(m => cells.Any(c => c.Mode == m)).ToList();
        var bars = new List<Bar>();
        var whiskerX = new List<double>();
        var whiskerY = new List<double>();
        var below = new List<double>();
        var above = new List<double>();
        var slot = 1.0 / (modes.Count + 1);
        for (var g = 0; g < links.Count; g++)
        {
            for (var m = 0; m < modes.Count; m++)
            {
                var position = g + ((m - ((modes.Count - 1) / 2.0)) * slot);
                var cell = cells.FirstOrDefault(c => c.Bandwidth == links[g] && c.Mode == modes[m]);
                if (cell is null)
                {
                    continue;
                }

                if (!cell.Ran)
                {
                    var label = plot.Add.Text("OOM", position, 0);
                    label.LabelFontColor = palette.GetColor(m);
                    label.LabelRotation = -90;
                    continue;
                }

                bars.Add(new Bar { Position = position, Value = cell.Median / 1000, FillColor = palette.GetColor(m), Size = slot * 0.9 });
                whiskerX.Add(position);
                whiskerY.Add(cell.Median / 1000);
                below.Add((cell.Median - cell.Lower) / 1000);
                above.Add((cell.Upper - cell.Median) / 1000);
            }
        }

        plot.Add.Bars(bars);
        if (whiskerX.Count > 0)
        {
            var whiskers = plot.Add.ErrorBar(whiskerX, whiskerY, below);
            whiskers.YErrorPositive = above;
            whiskers.Color = Colors.Black;
        }

        for (var m = 0; m < modes.Count; m++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = modes[m], FillColor = palette.GetColor(m) });
        }

        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, links.Count).Select(i => (double)i)],
            [.. links.Select(l => EvaluationTargets.Links(setup, l))]);
        plot.Axes.Margins(bottom: 0);
        plot.Title($"{setup.Name}: {model}, {sequence} tokens, {cells.Max(c => c.ClusterDevices)} devices");
        plot.YLabel("latency (s), median; whiskers p25–p75");
        plot.XLabel("links");
        return Save(plot, setup.Name, $"latency-{setup.Name}-{model}-s{sequence}", $"{setup.Name}: latency of {model} at {sequence} tokens", directory);
    }

    /// <summary>Speedup of each mode over one device (the 1-device local median, else the fastest 1-device median) against the device count.</summary>
    private static EvaluationPlot Speedup(EvaluationSetup setup, string bandwidth, string model, int sequence, List<CellSummary> cells, string directory)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var single = cells.Where(c => c.ClusterDevices == 1 && c.Ran).ToList();
        var reference = single.FirstOrDefault(c => c.Mode == "local")?.Median ?? (single.Count > 0 ? single.Min(c => c.Median) : 0);
        var modes = ModeNames.All.Select(ModeNames.Name).ToList();
        for (var m = 0; m < modes.Count; m++)
        {
            var points = cells.Where(c => c.Mode == modes[m] && c.Ran).OrderBy(c => c.ClusterDevices).ToList();
            if (points.Count == 0 || reference <= 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(points.Select(p => (double)p.ClusterDevices).ToArray(), points.Select(p => reference / p.Median).ToArray());
            line.LegendText = modes[m];
            line.Color = palette.GetColor(m);
            line.MarkerSize = 8;
        }

        var counts = setup.Counts;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. counts.Select(c => (double)c)],
            [.. counts.Select(c => c.ToString(CultureInfo.InvariantCulture))]);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Title($"{setup.Name}: {model}, {sequence} tokens, links {EvaluationTargets.Links(setup, bandwidth)}");
        plot.YLabel("speedup over one device (local)");
        plot.XLabel("devices");
        return Save(plot, setup.Name, $"speedup-{setup.Name}-{model}-s{sequence}-{bandwidth}", $"{setup.Name}: speedup of {model} at {sequence} tokens", directory);
    }

    private static EvaluationPlot Save(Plot plot, string setup, string name, string title, string directory)
    {
        var png = $"{name}.png";
        var svg = $"{name}.svg";
        plot.SavePng(Path.Combine(directory, png), Width, Height);
        plot.SaveSvg(Path.Combine(directory, svg), Width, Height);
        return new EvaluationPlot(setup, title, png, svg);
    }
}
