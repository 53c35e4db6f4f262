using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Galaxy.Benchmarks.Hmp;
using Galaxy.Kernels.Parallel;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// The <c>hmp</c> command: BERT-large-shaped layers on N simulated devices under modelled links, in every
/// parallel mode (one device, Megatron TP, SP, Galaxy's HMP without and with overlap), interleaved in this
/// process, printed as a table and optionally written as JSON.
/// </summary>
/// <remarks>Exit codes: 0 measured (whether or not the targets are met), 2 bad arguments.</remarks>
public static class HmpCommand
{
    // Quick: 10 rounds and two tile sizes keep the default run (2 and 3 devices × 2 links × 3 link precisions × 4 modes,
    // plus the one-device anchor) near 3–4 minutes on two shared cores.
    private const int QuickRounds = 10;
    private const int ThoroughRounds = 41;

    // Every simulated device computes on a thread-pool thread (SimulatedCluster runs each executor in Task.Run,
    // and one kernel thread per device means the GEMMs run on that caller), while the link pumps and the ring
    // tasks need thread-pool threads to deliver tiles. With the pool's default minimum (one per core) a
    // pump's timer continuation can queue behind blocked devices until the pool injects threads; in two A/B pairs
    // (3 devices, 1gbit) the default minimum exposed roughly 5–20 ms more per layer, within heavy noise.
    private const int MinimumPoolThreads = 32;

    public static Command Create()
    {
        var quick = CommandOptions.Quick($"{QuickRounds} measured rounds per group instead of {ThoroughRounds}, and tiles of 8 and 32 rows unless --tiles is given (about 4 minutes for the defaults).");
        var json = CommandOptions.Json();
        var devices = IntList("--devices", "Simulated device counts (2…8), comma-separated; the one-device anchor always runs.", "2,3", [2, 3], 2, 8);
        var tiles = IntList("--tiles", "Galaxy tile sizes in rows, comma-separated; 0 = whole chunks (default 0,8,32; 8,32 with --quick).", "0,8,32", null, 0, 4096);
        var layers = new Option<int>("--layers") { Description = "BERT-large layers to run (each is timed).", DefaultValueFactory = _ => 2 };
        var sequence = new Option<int>("--seq") { Description = "Tokens per request (2…512).", DefaultValueFactory = _ => 256 };
        layers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 24)
            {
                result.AddError("--layers must be 1…24 (BERT-large has 24).");
            }
        });
        sequence.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 2 or > 512)
            {
                result.AddError("--seq must be 2…512 (BERT-large's positions).");
            }
        });
        var links = new Option<string[]>("--links")
        {
            Description = "Links in tc units, comma-separated: rate (bit, kbit, mbit, gbit) with an optional per-message latency, e.g. 1gbit,100mbit+1ms.",
            HelpName = "1gbit,100mbit+1ms",
            CustomParser = ParseLinks,
            DefaultValueFactory = _ => ["1gbit", "100mbit+1ms"],
        };
        var precisions = new Option<LinkPrecision[]>("--link-precision")
        {
            Description = "Link precisions of the tiles, comma-separated: fp32 (exact), bf16, int8 (blocks of 32 with a scale); every mode runs in each.",
            HelpName = "fp32,bf16,int8",
            CustomParser = ParsePrecisions,
            DefaultValueFactory = _ => [.. LinkPrecisionNames.All],
        };
        var command = new Command("hmp", "Hybrid model parallelism on simulated devices: Galaxy's HMP with and without tile overlap against one device, Megatron TP and SP, per link precision.")
        {
            quick,
            json,
            devices,
            links,
            tiles,
            precisions,
            layers,
            sequence,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new HmpSettings(
                parse.GetValue(layers),
                parse.GetValue(sequence),
                parse.GetRequiredValue(devices),
                parse.GetRequiredValue(links),
                parse.GetValue(tiles) is { Length: > 0 } given ? given : parse.GetValue(quick) ? [8, 32] : [0, 8, 32],
                parse.GetRequiredValue(precisions),
                parse.GetValue(quick) ? QuickRounds : ThoroughRounds,
                WarmUpRounds: 1,
                parse.GetValue(json));
            return await ExecuteAsync(settings, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> ExecuteAsync(HmpSettings settings, CancellationToken cancellationToken)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinimumPoolThreads), completionPorts);
        var outcome = await HmpBenchmark.RunAsync(settings, Console.Error, cancellationToken).ConfigureAwait(false);
        if (settings.JsonPath is { } path)
        {
            await using var file = File.Create(path);
            HmpReport.WriteJson(outcome.Rows, file);
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        }

        HmpReport.WriteTable(outcome, AnsiConsole.Console, Console.Out);
        return 0;
    }

    private static Option<int[]> IntList(string name, string description, string helpName, int[]? defaults, int min, int max) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = defaults is null ? null : _ => defaults,
        CustomParser = result =>
        {
            var values = new List<int>();
            foreach (var item in CommandOptions.Items(result))
            {
                if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                {
                    result.AddError($"'{item}' is not a whole number from {min} to {max}.");
                    return [];
                }

                if (!values.Contains(value))
                {
                    values.Add(value);
                }
            }

            return [.. values];
        },
    };

    private static LinkPrecision[] ParsePrecisions(ArgumentResult result)
    {
        var precisions = new List<LinkPrecision>();
        foreach (var item in CommandOptions.Items(result))
        {
            try
            {
                var precision = LinkPrecisionNames.Parse(item);
                if (!precisions.Contains(precision))
                {
                    precisions.Add(precision);
                }
            }
            catch (FormatException error)
            {
                result.AddError(error.Message);
                return [];
            }
        }

        if (precisions.Count == 0)
        {
            result.AddError("--link-precision needs at least one of fp32, bf16, int8.");
        }

        return [.. precisions];
    }

    private static string[] ParseLinks(ArgumentResult result)
    {
        var links = new List<string>();
        foreach (var item in CommandOptions.Items(result))
        {
            try
            {
                LinkModel.Parse(item);
            }
            catch (FormatException error)
            {
                result.AddError(error.Message);
                return [];
            }

            if (!links.Contains(item))
            {
                links.Add(item);
            }
        }

        return [.. links];
    }
}
