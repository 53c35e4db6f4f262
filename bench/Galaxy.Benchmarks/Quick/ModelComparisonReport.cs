using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Writes a model comparison as JSON and as a console table with a one-line summary.</summary>
public static class ModelComparisonReport
{
    /// <summary>
    /// A JSON array, one object per row:
    /// <c>{"model","seq","threads","galaxy_ms","anchor","anchor_ms","ratio"}</c>, ratio = galaxy_ms / anchor_ms.
    /// </summary>
    public static void WriteJson(IReadOnlyList<ModelComparisonRow> rows, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteString("model", row.Model);
            json.WriteNumber("seq", row.Sequence);
            json.WriteNumber("threads", row.Threads);
            json.WriteNumber("galaxy_ms", Math.Round(row.GalaxyMilliseconds, 3));
            json.WriteString("anchor", row.Anchor);
            json.WriteNumber("anchor_ms", Math.Round(row.AnchorMilliseconds, 3));
            json.WriteNumber("ratio", Math.Round(row.Ratio, 4));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// The table on <paramref name="console"/>, then on <paramref name="summary"/> plain lines (never wrapped,
    /// so scripts can grep them) with the anchor and the geometric mean and maximum of the ratios.
    /// </summary>
    public static void WriteTable(IReadOnlyList<ModelComparisonRow> rows, string anchorDescription, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);

        var table = new Table()
            .AddColumn("model")
            .AddColumn("seq", c => c.RightAligned())
            .AddColumn("threads", c => c.RightAligned())
            .AddColumn("galaxy ms", c => c.RightAligned())
            .AddColumn("anchor")
            .AddColumn("anchor ms", c => c.RightAligned())
            .AddColumn("ratio galaxy/anchor\n(< 1: Galaxy faster)", c => c.RightAligned());
        foreach (var row in rows)
        {
            var ratioColour = row.Ratio <= 1 ? "green" : "red";
            table.AddRow(
                Markup.Escape(row.Model),
                Invariant($"{row.Sequence}"),
                Invariant($"{row.Threads}"),
                Invariant($"{row.GalaxyMilliseconds:F2}"),
                Markup.Escape(row.Anchor),
                Invariant($"{row.AnchorMilliseconds:F2}"),
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
        var slowest = rows.MaxBy(row => row.Ratio)!;
        summary.WriteLine(Invariant(
            $"ratio (galaxy/anchor, < 1: Galaxy faster) geomean {geometricMean:F3}, max {slowest.Ratio:F3} ({slowest.Model} seq {slowest.Sequence}, {slowest.Threads} thread(s))"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
