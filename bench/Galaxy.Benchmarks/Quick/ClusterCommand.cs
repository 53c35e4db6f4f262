using System.CommandLine;
using Galaxy.Benchmarks.Cluster;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// The <c>cluster</c> command: what the Orleans cluster adds to a request. MiniLM (seq 128) and synthetic BERT-large
/// layers (seq 256) on three device silos in this process against the same plan on the in-process collective,
/// interleaved, printed as a table and optionally written as JSON.
/// </summary>
/// <remarks>Exit codes: 0 measured (whether or not the target is met), 1 the sides disagree or the cluster failed, 3 the watchdog fired.</remarks>
public static class ClusterCommand
{
    private const int QuickRounds = 21;
    private const int ThoroughRounds = 61;
    private const int WarmUpRounds = 3;
    private const double Disagreement = 1e-3;

    // As in hmp: devices compute on pool threads while tiles need pool threads to move.
    private const int MinimumPoolThreads = 32;

    private static readonly string[] KnownModels = ["minilm", "bert-large"];
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Watchdog = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var quick = CommandOptions.Quick($"{QuickRounds} measured rounds per model instead of {ThoroughRounds}.");
        var json = CommandOptions.Json();
        var models = new Option<string[]>("--models")
        {
            Description = "Models, comma-separated: minilm (seq 128), bert-large (synthetic, seq 256).",
            HelpName = "minilm,bert-large",
            DefaultValueFactory = _ => ["minilm", "bert-large"],
            CustomParser = result =>
            {
                var chosen = CommandOptions.Items(result).Distinct().ToArray();
                foreach (var name in chosen.Where(n => n is not ("minilm" or "bert-large")))
                {
                    result.AddError($"Unknown model '{name}' (minilm, bert-large).");
                }

                // MiniLM first, whatever the order given: it is the headline and the budget may run out.
                return [.. KnownModels.Where(chosen.Contains)];
            },
        };
        var layers = new Option<int>("--bert-layers") { Description = "Layers of the synthetic BERT-large (1…24).", DefaultValueFactory = _ => 2 };
        layers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 24)
            {
                result.AddError("--bert-layers must be 1…24.");
            }
        });
        var transports = new Option<Galaxy.Grains.TileTransport[]>("--transport")
        {
            Description = "Tile transports of the cluster side, comma-separated, each run in every round: sockets, grain-calls.",
            HelpName = "sockets,grain-calls",
            DefaultValueFactory = _ => [.. ClusterSettings.BothTransports],
            CustomParser = result =>
            {
                var chosen = CommandOptions.Items(result).Distinct().ToArray();
                foreach (var name in chosen.Where(n => n is not ("sockets" or "grain-calls")))
                {
                    result.AddError($"Unknown transport '{name}' (sockets, grain-calls).");
                }

                return [.. ClusterSettings.BothTransports.Where(t => chosen.Contains(ClusterBenchmark.TransportName(t)))];
            },
        };
        var command = new Command("cluster", "What the Orleans cluster adds: 3 device silos in this process against the same plan on the in-process collective.")
        {
            quick,
            json,
            models,
            layers,
            transports,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new ClusterSettings(
                parse.GetRequiredValue(models),
                parse.GetValue(layers),
                parse.GetValue(quick) ? QuickRounds : ThoroughRounds,
                WarmUpRounds,
                Budget,
                parse.GetValue(json),
                parse.GetRequiredValue(transports));
            return await ExecuteAsync(settings, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExecuteAsync(ClusterSettings settings, CancellationToken cancellationToken)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinimumPoolThreads), completionPorts);
        using var watchdog = new Timer(
            _ =>
            {
                Console.Error.WriteLine($"cluster: the {Watchdog.TotalMinutes:F0}-minute watchdog fired; exiting.");
                Environment.Exit(3);
            },
            null,
            Watchdog,
            Timeout.InfiniteTimeSpan);

        ClusterOutcome outcome;
        try
        {
            outcome = await ClusterBenchmark.RunAsync(settings, Console.Error, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"cluster: failed: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        if (settings.JsonPath is { } path)
        {
            await using var file = File.Create(path);
            ClusterReport.WriteJson(outcome.Rows, file);
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        }

        ClusterReport.WriteTable(outcome, AnsiConsole.Console, Console.Out);
        return outcome.Rows.Any(r => r.MaxAbsDifference > Disagreement) ? 1 : 0;
    }
}
