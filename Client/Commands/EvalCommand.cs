using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Galaxy.Client.Evaluation;
using Galaxy.Grains;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy eval --setup deploy/eval/heterogeneous.yaml [...]</c>: the paper's comparison on the edge testbed — brings the
/// testbed up per setup, model and device count, one silo per device inside it, runs every mode, tears it down, and
/// writes raw JSON, Markdown and plots. <c>galaxy eval measure</c> is the part that runs next to a cluster (the testbed's
/// client namespace, or any machine that reaches a real cluster) and prints one JSON line per run.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var setups = new Option<string[]>("--setup") { Description = "A setup file (YAML or JSON; repeatable): devices, sweep, default grid. See deploy/eval/." };
        var report = new Option<string?>("--report") { Description = "Render eval.json's cells, eval.md and the plots again from an eval.json's runs into --out (runs nothing, needs no root)." };
        var models = new Option<string>("--models") { Description = "Override the setups' models, comma-separated (distilbert, bert-large, gpt2-large, opt-large, …)." };
        var seq = new Option<string>("--seq") { Description = "Override the sequence lengths, comma-separated (e.g. 128,256)." };
        var modes = new Option<string>("--modes") { Description = "Override the modes: local, megatron, sp, galaxy-no-overlap, galaxy (comma-separated)." };
        var bandwidths = new Option<string>("--bandwidths") { Description = "Override the link rates every device gets in turn, comma-separated (e.g. 100mbit,1gbit); 'setup' = each device's own." };
        var runs = new Option<int?>("--runs") { Description = "Override the recorded runs per cell." };
        var warmup = new Option<int?>("--warmup") { Description = "Override the unrecorded runs per cell before them." };
        var output = new Option<string>("--out") { Description = "Where eval.json, eval.md and the plots go.", DefaultValueFactory = _ => Path.Combine("docs", "results", "eval") };
        var testbed = new Option<string?>("--testbed") { Description = "The testbed script (default: deploy/testbed/testbed of this checkout)." };
        var silo = new Option<string?>("--silo") { Description = "The silo program each device runs (default: Silo/bin/Release/net10.0/Galaxy.Silo.dll of this checkout)." };
        var modelCache = new Option<string?>("--model-cache") { Description = "Where synthetic checkpoints are written once and kept (default: ~/.cache/galaxy/synthetic)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read the setups, print the grid and how many runs it makes, run nothing." };
        var command = new Command("eval", "Runs the evaluation (local, Megatron, SP, Galaxy without and with overlap) on the edge testbed and writes tables and plots.")
        {
            setups, models, seq, modes, bandwidths, runs, warmup, output, testbed, silo, modelCache, dryRun, report,
        };
        command.Subcommands.Add(CreateMeasure());
        command.SetAction((parse, cancellation) =>
        {
            var console = parse.InvocationConfiguration.Output;
            return CommandRunner.RunAsync("eval", parse.InvocationConfiguration.Error, async () =>
            {
                if (parse.GetValue(report) is { } json)
                {
                    EvaluationResults results;
                    try
                    {
                        // The cells are summarised again from the runs, so the report follows the current summary rules.
                        results = await EvaluationRunner.ReadAsync(json).ConfigureAwait(false);
                        results = results with { Cells = EvaluationStatistics.Summarize(results.Samples) };
                    }
                    catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                    {
                        throw new CommandException($"--report: {e.Message}", e);
                    }

                    var directory = Path.GetFullPath(parse.GetRequiredValue(output));
                    var plots = await EvaluationRunner.WriteAsync(results, directory).ConfigureAwait(false);
                    await console.WriteLineAsync($"eval: rendered {results.Samples.Count} runs of {results.Setups.Count} setup(s) into {directory} (eval.json, eval.md, {plots} plots)").ConfigureAwait(false);
                    return 0;
                }

                if (parse.GetValue(setups) is not { Length: > 0 } files)
                {
                    throw new CommandException("give at least one --setup <file> (see deploy/eval/), or --report <eval.json> to render results again.");
                }

                var read = ReadSetups(
                    files,
                    SplitList(parse.GetValue(models)),
                    SplitList(parse.GetValue(seq)),
                    SplitList(parse.GetValue(modes)),
                    SplitList(parse.GetValue(bandwidths)),
                    parse.GetValue(runs),
                    parse.GetValue(warmup));
                await console.WriteLineAsync(Describe(read)).ConfigureAwait(false);
                if (parse.GetValue(dryRun))
                {
                    return 0;
                }

                if (!Environment.IsPrivilegedProcess)
                {
                    throw new CommandException("needs root: the testbed makes network namespaces, shapes links and sets CPU quotas (run it as root or with sudo).");
                }

                var root = RepositoryRoot();
                var paths = new EvaluationPaths(
                    Existing(parse.GetValue(testbed) ?? Path.Combine(root, "deploy", "testbed", "testbed"), "--testbed"),
                    Existing(parse.GetValue(silo) ?? Path.Combine(root, "Silo", "bin", "Release", "net10.0", "Galaxy.Silo.dll"), "--silo (build with: dotnet build Galaxy.sln -c Release)"),
                    typeof(EvalCommand).Assembly.Location,
                    Path.GetFullPath(parse.GetValue(modelCache) ?? Path.Combine(ModelLocator.CacheDirectory, "synthetic")),
                    Path.Combine(Path.GetTempPath(), $"galaxy-eval-{DateTime.UtcNow:yyyyMMdd-HHmmss}"),
                    Path.GetFullPath(parse.GetRequiredValue(output)));
                try
                {
                    var runner = new EvaluationRunner(paths, console);
                    await runner.RunAsync(read, "galaxy " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), cancellation).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    throw new ClusterFailureException(e.Message, e);
                }

                return 0;
            });
        });
        return command;
    }

    /// <summary>The setups with the command line's overrides applied.</summary>
    /// <exception cref="CommandException">A file or an override is unusable; the message says which.</exception>
    internal static IReadOnlyList<EvaluationSetup> ReadSetups(
        IReadOnlyList<string> files,
        IReadOnlyList<string>? models,
        IReadOnlyList<string>? seq,
        IReadOnlyList<string>? modes,
        IReadOnlyList<string>? bandwidths,
        int? runs,
        int? warmup)
    {
        var lengths = seq?.Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new CommandException($"--seq takes whole numbers, got '{s}'.")).ToList();
        var rates = bandwidths;
        var read = new List<EvaluationSetup>();
        foreach (var file in files)
        {
            EvaluationSetup setup;
            try
            {
                setup = EvaluationSetupReader.Read(file);
            }
            catch (EvaluationSetupException e)
            {
                throw new CommandException(e.Message, e);
            }

            var grid = setup.Grid;
            try
            {
                grid = EvaluationSetupReader.ReadGrid(
                    models ?? grid.Models,
                    lengths ?? grid.SequenceLengths,
                    modes ?? [.. grid.Modes.Select(ModeNames.Name)],
                    rates ?? grid.Bandwidths,
                    runs ?? grid.Runs,
                    warmup ?? grid.Warmup,
                    message => new CommandException(message));
            }
            catch (CommandException e)
            {
                throw new CommandException($"{e.Message} (from the command line, for setup '{file}')", e);
            }

            if (read.Any(s => s.Name == setup.Name))
            {
                throw new CommandException($"two setups are named '{setup.Name}'; give each setup file its own name.");
            }

            read.Add(setup with { Grid = grid });
        }

        return read;
    }

    /// <summary>What the setups will run, one line per setup and a total.</summary>
    internal static string Describe(IReadOnlyList<EvaluationSetup> setups)
    {
        var lines = setups.Select(s =>
        {
            var g = s.Grid;
            var devices = string.Join(", ", s.Devices.Select(d => d.TestbedSpec()));
            return string.Create(CultureInfo.InvariantCulture,
                $"eval: setup {s.Name}: {devices}; device counts {string.Join('/', s.Counts)}; models {string.Join(',', g.Models)}; S {string.Join(',', g.SequenceLengths)}; " +
                $"links {string.Join(',', g.BandwidthLabels)}; modes {string.Join(',', g.Modes.Select(ModeNames.Name))}; {g.Warmup} warm-up + {g.Runs} runs → {EvaluationRunner.RunsOf(s)} recorded runs");
        });
        return string.Join('\n', lines) + string.Create(CultureInfo.InvariantCulture, $"\neval: {setups.Sum(EvaluationRunner.RunsOf)} recorded runs in all");
    }

    private static Command CreateMeasure()
    {
        var model = new Option<string>("--model") { Description = "The model id the devices serve.", Required = true };
        var seq = new Option<string>("--seq") { Description = "Sequence lengths, comma-separated.", Required = true };
        var modes = new Option<string>("--modes") { Description = "Modes, comma-separated (default: all five)." };
        var runs = new Option<int>("--runs") { Description = "Recorded runs per mode and length.", DefaultValueFactory = _ => 3 };
        var warmup = new Option<int>("--warmup") { Description = "Unrecorded runs first.", DefaultValueFactory = _ => 1 };
        var devices = new Option<int>("--devices") { Description = "Wait for this many devices with a profile of the model before measuring.", DefaultValueFactory = _ => 1 };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for them.", DefaultValueFactory = _ => 300 };
        var cluster = new ClusterConnectionOptions();
        var command = new Command("measure", "Runs the modes on a running cluster and prints one JSON line per run (what galaxy eval runs inside the testbed).")
        {
            model, seq, modes, runs, warmup, devices, wait,
        };
        cluster.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            return CommandRunner.RunAsync("eval measure", error, async () =>
            {
                var connection = cluster.Read(parse) ?? throw new CommandException("give the cluster with --gateway host:port or --redis host:port.");
                var modelName = parse.GetRequiredValue(model);
                var lengths = SplitList(parse.GetRequiredValue(seq))!
                    .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new CommandException($"--seq takes whole numbers above 0, got '{s}'."))
                    .ToList();
                IReadOnlyList<EvaluationMode> chosen;
                try
                {
                    chosen = SplitList(parse.GetValue(modes)) is { Count: > 0 } names ? [.. names.Select(ModeNames.Parse).Distinct()] : ModeNames.All;
                }
                catch (ArgumentException e)
                {
                    throw new CommandException(ClusterCall.Describe(e), e);
                }

                var (runCount, warmupCount) = (parse.GetValue(runs), parse.GetValue(warmup));
                if (runCount is < 1 or > 100 || warmupCount is < 0 or > 10)
                {
                    throw new CommandException($"--runs must be 1-100 and --warmup 0-10, got {runCount} and {warmupCount}.");
                }

                var expected = parse.GetValue(devices);
                if (expected < 1)
                {
                    throw new CommandException($"--devices must be at least 1, got {expected}.");
                }

                await ClusterCall.RunAsync(connection, $"measuring {modelName} …", error, quiet: true, async client =>
                {
                    var measurer = new EvaluationMeasurer(client, error);
                    try
                    {
                        await measurer.WaitForDevicesAsync(modelName, expected, TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(wait))), cancellation).ConfigureAwait(false);
                    }
                    catch (TimeoutException e)
                    {
                        throw new ClusterFailureException(e.Message, e);
                    }

                    await measurer.MeasureAsync(modelName, lengths, chosen, runCount, warmupCount, expected, async sample =>
                    {
                        await output.WriteLineAsync(JsonSerializer.Serialize(sample)).ConfigureAwait(false);
                        await output.FlushAsync(cancellation).ConfigureAwait(false);
                    }, cancellation).ConfigureAwait(false);
                    return 0;
                }, cancellation).ConfigureAwait(false);
                return 0;
            });
        });
        return command;
    }

    private static List<string>? SplitList(string? value) =>
        value is null ? null : [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static string Existing(string path, string what) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new CommandException($"{what}: '{path}' does not exist.");

    /// <summary>The checkout this program was built from (the folder with Galaxy.sln above it), else the current directory.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Galaxy.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
