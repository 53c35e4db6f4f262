using System.Globalization;
using System.Text.Json;
using Galaxy.Kernels.Gemm;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Writes a comparison as JSON and as a console table with a one-line summary.</summary>
public static class ComparisonReport
{
    /// <summary>
    /// A JSON array, one object per row:
    /// <c>{"m","n","k","threads","galaxy_gflops","anchor","anchor_gflops","ratio"}</c>.
    /// </summary>
    public static void WriteJson(IReadOnlyList<ComparisonRow> rows, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteNumber("m", row.M);
            json.WriteNumber("n", row.N);
            json.WriteNumber("k", row.K);
            json.WriteNumber("threads", row.Threads);
            json.WriteNumber("galaxy_gflops", Math.Round(row.GalaxyGflops, 2));
            json.WriteString("anchor", row.Anchor);
            json.WriteNumber("anchor_gflops", Math.Round(row.AnchorGflops, 2));
            json.WriteNumber("ratio", Math.Round(row.Ratio, 4));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// The table on <paramref name="console"/>, then on <paramref name="summary"/> plain lines (never wrapped,
    /// so scripts can grep them) with the anchor, the geometric mean and minimum of the ratios, and the kernel that ran.
    /// </summary>
    public static void WriteTable(IReadOnlyList<ComparisonRow> rows, GemmKernelKind kernel, string anchorDescription, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);

        var table = new Table()
            .AddColumn("m", c => c.RightAligned())
            .AddColumn("n", c => c.RightAligned())
            .AddColumn("k", c => c.RightAligned())
            .AddColumn("threads", c => c.RightAligned())
            .AddColumn("galaxy GFLOP/s", c => c.RightAligned())
            .AddColumn("anchor")
            .AddColumn("anchor GFLOP/s", c => c.RightAligned())
            .AddColumn("ratio", c => c.RightAligned());
        foreach (var row in rows)
        {
            var ratioColour = row.Ratio >= 1 ? "green" : "red";
            table.AddRow(
                Invariant($"{row.M}"),
                Invariant($"{row.N}"),
                Invariant($"{row.K}"),
                Invariant($"{row.Threads}"),
                Invariant($"{row.GalaxyGflops:F1}"),
                Markup.Escape(row.Anchor),
                Invariant($"{row.AnchorGflops:F1}"),
                Invariant($"[{ratioColour}]{row.Ratio:F3}[/]"));
        }

        console.Write(table);
        summary.WriteLine($"anchor: {anchorDescription}");
        if (rows.Count == 0)
        {
            summary.WriteLine($"no case was measured; Galaxy micro-kernel: {kernel}");
            return;
        }

        var geometricMean = Math.Exp(rows.Average(row => Math.Log(row.Ratio)));
        var slowest = rows.MinBy(row => row.Ratio)!;
        summary.WriteLine(Invariant(
            $"ratio geomean {geometricMean:F3}, min {slowest.Ratio:F3} ({slowest.M}x{slowest.N}x{slowest.K}, {slowest.Threads} thread(s)); Galaxy micro-kernel: {kernel}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
