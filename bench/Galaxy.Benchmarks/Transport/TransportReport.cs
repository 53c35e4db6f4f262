using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Galaxy.Benchmarks.Transport;

/// <summary>Writes a transport run as JSON and as a console table.</summary>
public static class TransportReport
{
    /// <summary>
    /// A JSON array, one object per path and size: <c>{"path","bytes","p50_ms","p99_ms","mb_per_s","delivered","sent"}</c>;
    /// a latency or throughput with nothing delivered is null.
    /// </summary>
    public static void WriteJson(IReadOnlyList<TransportRow> rows, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteString("path", row.Path.Name);
            json.WriteNumber("bytes", row.Bytes);
            WriteNumberOrNull(json, "p50_ms", row.P50Milliseconds, 4);
            WriteNumberOrNull(json, "p99_ms", row.P99Milliseconds, 4);
            WriteNumberOrNull(json, "mb_per_s", row.MegabytesPerSecond, 1);
            json.WriteNumber("delivered", row.Delivered);
            json.WriteNumber("sent", row.Sent);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    public static void WriteTable(TransportOutcome outcome, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);

        var table = new Table()
            .AddColumn("path")
            .AddColumn("bytes", c => c.RightAligned())
            .AddColumn("p50 ms", c => c.RightAligned())
            .AddColumn("p99 ms", c => c.RightAligned())
            .AddColumn("MB/s", c => c.RightAligned())
            .AddColumn("delivered/sent", c => c.RightAligned())
            .AddColumn("note");
        foreach (var row in outcome.Rows)
        {
            var colour = row.Delivered == row.Sent ? "green" : "red";
            table.AddRow(
                Markup.Escape(row.Path.Label),
                Size(row.Bytes),
                Number(row.P50Milliseconds, "F3"),
                Number(row.P99Milliseconds, "F3"),
                Number(row.MegabytesPerSecond, "F1"),
                Invariant($"[{colour}]{row.Delivered}/{row.Sent}[/]"),
                Markup.Escape(row.Note));
        }

        console.Write(table);
        summary.WriteLine(Invariant(
            $"sender on {outcome.SenderSilo}, receiver on {outcome.ReceiverSilo} (two silos in one process, TCP loopback); {outcome.Elapsed.TotalSeconds:F0} s in all"));
        if (outcome.CpuStalled is { } stalled)
        {
            summary.WriteLine(Invariant(
                $"noise: some task waited for a CPU during {stalled.TotalSeconds:F1} s of the {outcome.Elapsed.TotalSeconds:F0} s (/proc/pressure/cpu 'some'); 2 shared cores, so compare medians, not single rows"));
        }

        summary.WriteLine("latency: one payload at a time, sender's timestamp to the receiver's handler; MB/s: median of three bursts, 10^6 bytes/s from the first send to the last arrival");
    }

    /// <summary>4 KB, 64 KB, 1 MB, 4 MB (binary units, as the sizes are).</summary>
    public static string Size(int bytes) => bytes >= 1 << 20 ? Invariant($"{bytes >> 20} MB") : Invariant($"{bytes >> 10} KB");

    private static string Number(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value, int digits)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
