using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Galaxy.Benchmarks.Cluster;

/// <summary>The cluster benchmark's JSON rows, table and summary lines.</summary>
public static class ClusterReport
{
    /// <summary>The issue's target: the cluster adds at most this much latency over the in-process collective.</summary>
    public const double TargetOverhead = 0.15;

    /// <summary>One-way latency of one tile call from docs/transport.md (<c>call-tile-w4</c> isolated p50 at 64 KB and 1 MB).</summary>
    private const double CallMillisecondsAt64K = 0.118;
    private const double CallMillisecondsAt1M = 1.177;

    /// <summary>Rows of <c>{"model","seq","devices","exchange","transport","cluster_ms","inprocess_ms","overhead","cluster_cpu_ms","inprocess_cpu_ms"}</c>.</summary>
    public static void WriteJson(IReadOnlyList<ClusterRow> rows, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteString("model", row.Model);
            json.WriteNumber("seq", row.Sequence);
            json.WriteNumber("devices", row.Devices);
            json.WriteString("exchange", row.Exchange == Galaxy.Kernels.Parallel.CollectiveAlgorithm.Ring ? "ring" : "direct");
            json.WriteString("transport", ClusterBenchmark.TransportName(row.Transport));
            json.WriteNumber("cluster_ms", Math.Round(row.ClusterMilliseconds, 3));
            json.WriteNumber("inprocess_ms", Math.Round(row.InProcessMilliseconds, 3));
            json.WriteNumber("overhead", Math.Round(row.Overhead, 4));
            json.WriteNumber("cluster_cpu_ms", Math.Round(row.ClusterCpuMilliseconds, 1));
            json.WriteNumber("inprocess_cpu_ms", Math.Round(row.InProcessCpuMilliseconds, 1));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    public static void WriteTable(ClusterOutcome outcome, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);
        var table = new Table()
            .AddColumn("model")
            .AddColumn("seq", c => c.RightAligned())
            .AddColumn("layers", c => c.RightAligned())
            .AddColumn("dev", c => c.RightAligned())
            .AddColumn("tiles via")
            .AddColumn("cluster ms", c => c.RightAligned())
            .AddColumn("in-proc ms", c => c.RightAligned())
            .AddColumn("overhead", c => c.RightAligned())
            .AddColumn("per round\nmed (Q1…Q3)", c => c.RightAligned().NoWrap())
            .AddColumn("ms/layer\nadded", c => c.RightAligned())
            .AddColumn("in layers\nms cl/ip", c => c.RightAligned())
            .AddColumn("outside\nms cl/ip", c => c.RightAligned())
            .AddColumn("compute\nms cl/ip", c => c.RightAligned())
            .AddColumn("cpu ms\ncl/ip", c => c.RightAligned())
            .AddColumn("tiles\n/request", c => c.RightAligned())
            .AddColumn("KB/tile", c => c.RightAligned())
            .AddColumn("max |Δ|", c => c.RightAligned())
            .AddColumn("others'\ncores", c => c.RightAligned())
            .AddColumn("rounds", c => c.RightAligned());
        foreach (var row in outcome.Rows)
        {
            table.AddRow(
                row.Model,
                Format(row.Sequence),
                Format(row.Layers),
                Format(row.Devices),
                ClusterBenchmark.TransportName(row.Transport),
                Format(row.ClusterMilliseconds, "F1"),
                Format(row.InProcessMilliseconds, "F1"),
                Percent(row.Overhead),
                $"{Percent0(row.PairedOverhead.Median)} ({Percent0(row.PairedOverhead.First)}…{Percent0(row.PairedOverhead.Third)})",
                Format(row.OverheadPerLayerMilliseconds, "F2"),
                $"{Format(row.ClusterLayersMilliseconds, "F1")} / {Format(row.InProcessLayersMilliseconds, "F1")}",
                $"{Format(row.ClusterOutsideMilliseconds, "F1")} / {Format(row.InProcessOutsideMilliseconds, "F1")}",
                $"{Format(row.ClusterComputeMilliseconds, "F1")} / {Format(row.InProcessComputeMilliseconds, "F1")}",
                $"{Format(row.ClusterCpuMilliseconds, "F0")} / {Format(row.InProcessCpuMilliseconds, "F0")}",
                Format(row.TileCallsPerRequest),
                Format(row.MeanTileBytes / 1024, "F1"),
                row.MaxAbsDifference == 0 ? "0" : Format(row.MaxAbsDifference, "0.0e+0"),
                row.CoresUsedByOthers is { } cores ? Format(cores, "F2") : "–",
                Format(row.Rounds));
        }

        console.Write(table);
        summary.WriteLine("cl/ip = cluster / in-process.");
        summary.WriteLine("cluster ms: IInferenceGrain.InferAsync from the first silo (3 device silos in this process, TCP loopback, tiles via the silos' tile sockets or one grain call each); in-process ms: SimulatedCluster.RunAsync, same plan (the coordinator's: hybrid, shares proportional to the measured profiles, overlap on, whole chunks, direct exchange), same model files, 1 kernel thread per device on both sides; medians over rounds that rotate the sides.");
        summary.WriteLine("overhead = cluster ms / in-process ms − 1 of the medians (per round: the same ratio of each round's pair); ms/layer added = (cluster − in-process) / layers.");
        summary.WriteLine("in layers = the longest any device spent inside its layers (wall, ring waits included); outside = request − in layers (fan-out, embedding, fan-in, result); compute = the most any device computed (arithmetic only); cpu = the process's CPU time per request, all threads; tile calls counted on the in-process side, which runs the same schedule.");
        foreach (var row in outcome.Rows)
        {
            var met = row.Overhead <= TargetOverhead ? "met" : "MISSED";

            // With whole chunks (the coordinator's plan) a ring step is one call per device and the steps of a
            // collective follow one another; a direct exchange sends its N − 1 calls per device in one step.
            double stepsPerLayer = row.StepsPerLayer;
            var callsPerLayer = (double)row.TileCallsPerRequest / row.Devices / row.Layers;
            var insidePerLayer = (row.ClusterLayersMilliseconds - row.InProcessLayersMilliseconds) / row.Layers;
            var computePerLayer = (row.ClusterComputeMilliseconds - row.InProcessComputeMilliseconds) / row.Layers;
            var callCost = CallMilliseconds(row.MeanTileBytes);
            summary.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Model} seq {row.Sequence} ({ClusterBenchmark.TransportName(row.Transport)}): target ≤ {TargetOverhead:P0} {met}: {Percent(row.Overhead)} (per-round median {Percent(row.PairedOverhead.Median)}), {row.OverheadPerLayerMilliseconds:+0.00;-0.00} ms per layer."));
            summary.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  where: {insidePerLayer:+0.00;-0.00} ms per layer inside the layers ({insidePerLayer / stepsPerLayer:+0.00;-0.00} ms per step, {stepsPerLayer:F0} sequential steps of {callsPerLayer / stepsPerLayer:F0} call(s) per device per layer, {(row.Exchange == Galaxy.Kernels.Parallel.CollectiveAlgorithm.Ring ? "ring" : "direct")}), " +
                $"{row.ClusterOutsideMilliseconds - row.InProcessOutsideMilliseconds:+0.0;-0.0} ms per request outside them; compute {computePerLayer:+0.00;-0.00} ms per layer."));
            summary.WriteLine(row.Transport == Galaxy.Grains.TileTransport.Sockets
                ? string.Create(CultureInfo.InvariantCulture, $"  tiles: {row.TileCallsPerRequest} frames per request on persistent silo-to-silo sockets, {row.MeanTileBytes / 1024:F1} KB each.")
                : string.Create(CultureInfo.InvariantCulture,
                $"  tiles: {row.TileCallsPerRequest} calls per request, {row.MeanTileBytes / 1024:F1} KB each; one way ~{callCost:F2} ms per call of that size between two idle silos (docs/transport.md, interpolated), ~{callCost * stepsPerLayer:F1} ms per layer over {stepsPerLayer:F0} steps."));
            summary.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  cpu: {row.ClusterCpuMilliseconds - row.InProcessCpuMilliseconds:+0;-0} ms more per request on the cluster side ({row.ClusterCpuMilliseconds:F0} vs {row.InProcessCpuMilliseconds:F0}) for {Environment.ProcessorCount} cores."));
        }

        foreach (var note in outcome.Notes)
        {
            summary.WriteLine($"note: {note}");
        }
    }

    /// <summary>Linear between the 64 KB and 1 MB measurements (the 64 KB figure below it).</summary>
    private static double CallMilliseconds(double bytes)
    {
        const double Small = 64 * 1024;
        const double Large = 1024 * 1024;
        var t = Math.Clamp((bytes - Small) / (Large - Small), 0, 1);
        return CallMillisecondsAt64K + (t * (CallMillisecondsAt1M - CallMillisecondsAt64K));
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Percent0(double value) => (value * 100).ToString("+0;-0", CultureInfo.InvariantCulture) + "%";

    private static string Percent(double value) => (value * 100).ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + "%";
}
