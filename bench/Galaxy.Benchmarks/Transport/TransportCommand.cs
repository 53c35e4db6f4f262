using System.CommandLine;
using Galaxy.Benchmarks.Quick;
using Spectre.Console;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// The <c>transport</c> command: tiles of 4 KB – 4 MB from a grain on one silo to a grain on another over
/// TCP loopback, by direct calls (bulk-codec tile and bare <c>float[]</c>), <c>IAsyncEnumerable</c>,
/// memory streams and BroadcastChannel; latency, throughput and losses per path and size.
/// </summary>
/// <remarks>Exit codes: 0 measured, 1 the cluster or the placement failed, 3 the watchdog stopped a run that hung.</remarks>
public static class TransportCommand
{
    private const int ExitFailed = 1;
    private const int ExitWatchdog = 3;

    /// <summary>Everything is bounded already; this catches what is not (a silo that never stops, say).</summary>
    private static readonly TimeSpan Watchdog = TimeSpan.FromMinutes(10);

    public static Command Create()
    {
        var quick = CommandOptions.Quick("30 isolated payloads and a burst of up to 32 MB per path and size (8 and 8 MB on memory streams): about 2–3 minutes.");
        var json = CommandOptions.Json();
        var command = new Command("transport", "Moving fp32 tiles between grains on two silos over TCP: direct calls, IAsyncEnumerable, memory streams, BroadcastChannel.")
        {
            quick,
            json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var settings = parse.GetValue(quick) ? TransportSettings.Quick(parse.GetValue(json)) : TransportSettings.Thorough(parse.GetValue(json));
            return await ExecuteAsync(settings).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExecuteAsync(TransportSettings settings)
    {
        using var watchdog = new Timer(_ =>
        {
            Console.Error.WriteLine($"error: transport did not finish within {Watchdog.TotalMinutes:0} minutes; stopping.");
            Environment.Exit(ExitWatchdog);
        }, null, Watchdog, Timeout.InfiniteTimeSpan);

        TransportOutcome outcome;
        try
        {
            outcome = await TransportBenchmark.RunAsync(settings, Console.Error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OrleansException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitFailed;
        }

        if (settings.JsonPath is { } path)
        {
            using var file = File.Create(path);
            TransportReport.WriteJson(outcome.Rows, file);
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
        }

        TransportReport.WriteTable(outcome, AnsiConsole.Console, Console.Out);
        return 0;
    }
}
