using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Writes an ops comparison as JSON and as a console table with a one-line summary.</summary>
public static class OpsComparisonReport
{
    /// <summary>
    /// A JSON array, one object per row:
    /// <c>{"op","shape","threads","galaxy_us","anchor","anchor_us","ratio"}</c>, ratio = anchor_us / galaxy_us.
    /// </summary>
    public static void WriteJson(IReadOnlyList<OpComparisonRow> rows, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteString("op", row.Op);
            json.WriteString("shape", row.Shape);
            json.WriteNumber("threads", row.Threads);
            json.WriteNumber("galaxy_us", Math.Round(row.GalaxyMicroseconds, 3));
            json.WriteString("anchor", row.Anchor);
            json.WriteNumber("anchor_us", Math.Round(row.AnchorMicroseconds, 3));
            json.WriteNumber("ratio", Math.Round(row.Ratio, 4));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// The table on <paramref name="console"/>, then on <paramref name="summary"/> plain lines (never wrapped,
    /// so scripts can grep them) with the anchor and the geometric mean and minimum of the ratios.
    /// </summary>
    public static void WriteTable(IReadOnlyList<OpComparisonRow> rows, string anchorDescription, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);

        var table = new Table()
            .AddColumn("op")
            .AddColumn("shape")
            .AddColumn("threads", c => c.RightAligned())
            .AddColumn("galaxy µs", c => c.RightAligned())
            .AddColumn("anchor")
            .AddColumn("anchor µs", c => c.RightAligned())
            .AddColumn("ratio anchor/galaxy\n(> 1: Galaxy faster)", c => c.RightAligned());
        foreach (var row in rows)
        {
            var ratioColour = row.Ratio >= 1 ? "green" : "red";
            table.AddRow(
                Markup.Escape(row.Op),
                Markup.Escape(row.Shape),
                Invariant($"{row.Threads}"),
                Invariant($"{row.GalaxyMicroseconds:F1}"),
                Markup.Escape(row.Anchor),
                Invariant($"{row.AnchorMicroseconds:F1}"),
                Invariant($"[{ratioColour}]{row.Ratio:F3}[/]"));
        }

        console.Write(table);
        summary.WriteLine($"anchor: {anchorDescription}");
        if (rows.Count == 0)
        {
            summary.WriteLine("no case was measured");
            return;
        }

        var geometricMean = Math.Exp(rows.Average(row => Math.Log(row.Ratio)));
        var slowest = rows.MinBy(row => row.Ratio)!;
        summary.WriteLine(Invariant(
            $"ratio (anchor/galaxy, > 1: Galaxy faster) geomean {geometricMean:F3}, min {slowest.Ratio:F3} ({slowest.Op} {slowest.Shape}, {slowest.Threads} thread(s))"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
