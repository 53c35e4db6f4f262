using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Galaxy.Benchmarks.Hmp;

/// <summary>Writes the <c>hmp</c> rows as JSON and as a console table with plain summary lines.</summary>
public static class HmpReport
{
    /// <summary>Hidden share the issue asks Galaxy with overlap to reach on a 100 Mbit/s link.</summary>
    public const double TargetHiddenShare = 0.5;

    /// <summary>
    /// A JSON array, one object per row, exactly
    /// <c>{"model","seq","devices","link","mode","precision","layer_ms","comm_ms","hidden_share"}</c>: medians per layer;
    /// <c>precision</c> is the link precision (<c>fp32</c>, <c>bf16</c>, <c>int8</c>); <c>comm_ms</c> is the exposed
    /// communication; <c>hidden_share</c> is null for local, megatron and sp.
    /// </summary>
    public static void WriteJson(IReadOnlyList<HmpRow> rows, Stream destination)
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
            json.WriteString("link", row.Link);
            json.WriteString("mode", row.Mode);
            json.WriteString("precision", row.Precision);
            json.WriteNumber("layer_ms", Math.Round(row.LayerMilliseconds, 3));
            json.WriteNumber("comm_ms", Math.Round(row.ExposedCommunicationMilliseconds, 3));
            if (row.HiddenShare is { } share)
            {
                json.WriteNumber("hidden_share", Math.Round(share, 4));
            }
            else
            {
                json.WriteNull("hidden_share");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The table on <paramref name="console"/>, then plain lines on <paramref name="summary"/>: definitions, targets, tiles, load.</summary>
    public static void WriteTable(HmpOutcome outcome, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);
        var rows = outcome.Rows;
        var layerHeader = string.Join(" / ", Enumerable.Range(0, outcome.LayersTimed).Select(l => $"L{l}"));
        var table = new Table()
            .AddColumn("dev", c => c.RightAligned())
            .AddColumn("link")
            .AddColumn("mode")
            .AddColumn("prec")
            .AddColumn("layer ms", c => c.RightAligned())
            .AddColumn($"{layerHeader} ms", c => c.RightAligned())
            .AddColumn("compute ms", c => c.RightAligned())
            .AddColumn("comm ms\n(exposed)", c => c.RightAligned())
            .AddColumn("hidden\nshare", c => c.RightAligned())
            .AddColumn("share\nbound", c => c.RightAligned())
            .AddColumn("recv wait ms", c => c.RightAligned())
            .AddColumn("MB sent\n/dev", c => c.RightAligned())
            .AddColumn("link ms", c => c.RightAligned())
            .AddColumn("cpu ms", c => c.RightAligned())
            .AddColumn("IQR", c => c.RightAligned());
        foreach (var row in rows)
        {
            table.AddRow(
                Invariant($"{row.Devices}"),
                Markup.Escape(row.LinkSpec),
                Markup.Escape(row.Mode),
                Markup.Escape(row.Precision),
                Invariant($"{row.LayerMilliseconds:F1}"),
                string.Join(" / ", row.PerLayerMilliseconds.Select(ms => Invariant($"{ms:F1}"))),
                Invariant($"{row.ComputeMilliseconds:F1}"),
                Invariant($"{row.ExposedCommunicationMilliseconds:F1}"),
                row.HiddenShare is { } share ? Invariant($"{share:P0}") : "–",
                row.HiddenShareBound is { } bound ? Invariant($"{bound:P0}") : "–",
                Invariant($"{row.ReceiveWaitMilliseconds:F1}"),
                Invariant($"{row.BytesSentPerDevice / 1e6:F2}"),
                Invariant($"{row.ModelledLinkMilliseconds:F1}"),
                Invariant($"{row.ProcessCpuMilliseconds:F1}"),
                Invariant($"{row.LayerSpread:P0}"));
        }

        console.Write(table);
        var samples = rows.FirstOrDefault(r => r.Devices > 1)?.Samples ?? 0;
        summary.WriteLine(
            Invariant($"per layer, medians over {samples} requests per mode; {outcome.LayersTimed} layers timed; ") +
            "layer = longest wall time of any device; compute = the most any device computed; comm (exposed) = layer − compute; hidden share = 1 − comm / comm of the same plan without overlap; " +
            "share bound = min(1, compute / comm without overlap); " +
            "link time = busiest link's modelled time if its messages went one after another (messages·latency + bytes/bandwidth; latencies of messages in flight together overlap); cpu = the process's CPU time (all devices, rings, link pumps); IQR = interquartile range / median of layer ms");
        foreach (var group in rows.Where(r => r.Devices > 1).GroupBy(r => (r.Devices, r.LinkSpec)))
        {
            var fp32Megatron = group.FirstOrDefault(r => r.Mode == "megatron" && r.Precision == "fp32");
            foreach (var precision in group.GroupBy(r => r.Precision))
            {
                WriteGroupVerdict(group.Key.Devices, group.Key.LinkSpec, precision.Key, [.. precision], fp32Megatron, summary);
            }
        }

        foreach (var load in outcome.Groups)
        {
            var others = load.CoresUsedByOthers is { } cores ? Invariant($"{cores:F2} of {Environment.ProcessorCount} cores") : "not measurable";
            summary.WriteLine(Invariant($"group {load.Devices} devices / {load.LinkSpec}: {load.Duration.TotalSeconds:F0} s, other processes used {others}"));
        }
    }

    private static void WriteGroupVerdict(int devices, string linkSpec, string precision, IReadOnlyList<HmpRow> group, HmpRow? fp32Megatron, TextWriter summary)
    {
        var megatron = group.FirstOrDefault(r => r.Mode == "megatron");
        var galaxies = group.Where(r => r.Mode.StartsWith("galaxy", StringComparison.Ordinal) && !r.Mode.Contains("no-overlap", StringComparison.Ordinal)).ToList();
        if (galaxies.Count == 0)
        {
            return;
        }

        var fastest = galaxies.MinBy(r => r.LayerMilliseconds)!;
        var tiles = string.Join(", ", galaxies.Select(r => Invariant($"{r.Mode} {r.LayerMilliseconds:F1} ms")));
        summary.WriteLine(Invariant($"{devices} devices / {linkSpec} / {precision} links: fastest overlap tiling {fastest.Mode} ({tiles})"));
        foreach (var galaxy in galaxies)
        {
            var hides = galaxy.HiddenShare is { } share
                ? Invariant($"hides {share:P0} of communication (target ≥ {TargetHiddenShare:P0}: {(share >= TargetHiddenShare ? "met" : "missed")}; bound {galaxy.HiddenShareBound:P0})")
                : "hidden share undefined";
            if (galaxy.PairedHiddenShare is { } paired)
            {
                hides += Invariant($", per round {paired.First:P0} / {paired.Median:P0} / {paired.Third:P0} (quartiles)");
            }

            var versus = megatron is null
                ? string.Empty
                : Invariant($", layer {galaxy.LayerMilliseconds:F1} ms vs megatron {precision} {megatron.LayerMilliseconds:F1} ms (target ≤: {(galaxy.LayerMilliseconds <= megatron.LayerMilliseconds ? "met" : "missed")})");
            if (fp32Megatron is not null && precision != "fp32")
            {
                versus += Invariant($", vs megatron fp32 {fp32Megatron.LayerMilliseconds:F1} ms");
            }

            summary.WriteLine($"  {galaxy.Mode}: {hides}{versus}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
