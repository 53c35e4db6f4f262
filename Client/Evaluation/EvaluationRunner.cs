using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;

namespace Galaxy.Client.Evaluation;

/// <summary>
/// <c>galaxy eval</c>: for each setup, model and device count, brings the testbed up, starts one silo per device inside
/// it, runs <c>galaxy eval measure</c> in the client namespace for each bandwidth (re-shaping the links between them),
/// tears the testbed down, and finally writes the raw JSON, the Markdown tables and the plots.
/// </summary>
/// <param name="paths">Where the programs, models and outputs are.</param>
/// <param name="output">Progress and the summary.</param>
public sealed class EvaluationRunner(EvaluationPaths paths, TextWriter output)
{
    /// <summary>The cluster id of the evaluation's silos.</summary>
    public const string ClusterId = "galaxy-eval";

    private const int SiloPort = 11111;
    private const int GatewayPort = 30000;
    private static readonly TimeSpan SiloStartTimeout = TimeSpan.FromMinutes(4);

    private readonly Testbed _testbed = new(paths.Testbed);
    private readonly List<EvaluationSample> _samples = [];
    private readonly List<LineLog> _logs = [];
    private readonly Stopwatch _clock = new();
    private int _done;
    private int _total;

    /// <summary>Recorded runs a grid makes on a setup: one per mode, run, sequence length, bandwidth, model and device count.</summary>
    public static int RunsOf(EvaluationSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var grid = setup.Grid;
        return setup.Counts.Count * grid.Models.Count * grid.BandwidthLabels.Count * grid.SequenceLengths.Count * grid.Modes.Count * grid.Runs;
    }

    /// <summary>Runs every setup and writes the results; returns the samples.</summary>
    /// <exception cref="InvalidOperationException">The testbed, a silo or the measurement failed; the message says which and where the logs are.</exception>
    public async Task<IReadOnlyList<EvaluationSample>> RunAsync(IReadOnlyList<EvaluationSetup> setups, string command, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(setups);
        if (await _testbed.IsUpAsync(cancellation).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"a testbed is already up; take it down first ({paths.Testbed} down), the evaluation brings up its own.");
        }

        Directory.CreateDirectory(paths.Work);
        Directory.CreateDirectory(paths.Output);
        _total = setups.Sum(RunsOf);
        _clock.Start();
        await output.WriteLineAsync($"eval: {setups.Count} setup(s), {_total} recorded runs; logs in {paths.Work}").ConfigureAwait(false);
        foreach (var setup in setups)
        {
            foreach (var model in setup.Grid.Models)
            {
                var models = PrepareModel(model);
                foreach (var count in setup.Counts)
                {
                    await RunClusterAsync(setup, model, models, count, cancellation).ConfigureAwait(false);

                    // What is measured so far is written after every cluster, so a failure later keeps it.
                    await WriteResultsAsync(setups, command).ConfigureAwait(false);
                }
            }
        }

        return _samples;
    }

    /// <summary>One cluster: the first <paramref name="count"/> devices of the setup serving <paramref name="model"/>, every bandwidth of the grid.</summary>
    private async Task RunClusterAsync(EvaluationSetup setup, string model, string modelsDirectory, int count, CancellationToken cancellation)
    {
        var devices = setup.Devices.Take(count).ToList();
        var grid = setup.Grid;
        var first = grid.BandwidthLabels[0];
        var firstRate = first == EvaluationGrid.SetupLinks ? null : first;
        var label = $"{setup.Name}/{model}/{count}dev";
        var logs = Path.Combine(paths.Work, label.Replace('/', '-'));
        Directory.CreateDirectory(logs);
        var silos = new List<Process>();
        try
        {
            await output.WriteLineAsync($"eval: {label}: testbed up {string.Join(',', devices.Select(d => d.TestbedSpec(firstRate)))}").ConfigureAwait(false);
            await _testbed.UpAsync(devices.Select(d => d.TestbedSpec(firstRate)), cancellation).ConfigureAwait(false);
            var addresses = new List<string>();
            foreach (var device in devices)
            {
                addresses.Add(await _testbed.AddressAsync(device.Name, cancellation).ConfigureAwait(false));
            }

            var started = new List<Task>();
            for (var i = 0; i < devices.Count; i++)
            {
                var (silo, up) = StartSilo(devices[i], addresses[i], i == 0 ? null : $"{addresses[0]}:{SiloPort}", modelsDirectory, Path.Combine(logs, $"{devices[i].Name}.log"));
                silos.Add(silo);
                started.Add(up);
            }

            await Task.WhenAll(started).WaitAsync(SiloStartTimeout, cancellation).ConfigureAwait(false);
            await output.WriteLineAsync($"eval: {label}: {devices.Count} silos up").ConfigureAwait(false);
            for (var b = 0; b < grid.BandwidthLabels.Count; b++)
            {
                var bandwidth = grid.BandwidthLabels[b];
                if (b > 0 && bandwidth == EvaluationGrid.SetupLinks)
                {
                    foreach (var device in devices)
                    {
                        await _testbed.ShapeAsync(device.Link, device.Name, cancellation).ConfigureAwait(false);
                    }
                }
                else if (b > 0)
                {
                    await _testbed.ShapeAsync(bandwidth, null, cancellation).ConfigureAwait(false);
                }

                await MeasureAsync(setup, model, count, bandwidth, $"{addresses[0]}:{GatewayPort}", Path.Combine(logs, $"measure-{bandwidth}.log"), cancellation).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{label}: the silos did not start within {SiloStartTimeout.TotalMinutes:F0} minutes; see {logs}.");
        }
        finally
        {
            // down stops every process in the testbed (the silos included) and removes it.
            await _testbed.DownAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var silo in silos)
            {
                if (!silo.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    silo.Kill(entireProcessTree: true);
                }

                silo.Dispose();
            }

            foreach (var log in _logs)
            {
                log.Dispose();
            }

            _logs.Clear();
        }
    }

    /// <summary>Starts one device's silo; the task completes when it logs that it is up, and fails if it exits first.</summary>
    private (Process Silo, Task Up) StartSilo(SetupDevice device, string address, string? primary, string modelsDirectory, string logPath)
    {
        var command = new List<string>
        {
            "dotnet", paths.Silo, "--device", device.Name, "--cluster", ClusterId, "--advertise", address,
            "--silo-port", SiloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", GatewayPort.ToString(CultureInfo.InvariantCulture),
            "--models", modelsDirectory,
        };
        if (device.MemoryBudgetBytes is { } budget)
        {
            command.AddRange(["--memory-budget", budget.ToString(CultureInfo.InvariantCulture)]);
        }

        if (primary is not null)
        {
            command.AddRange(["--primary", primary]);
        }

        var log = new LineLog(logPath);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string line)
        {
            log.Write(line);
            if (line.Contains($"Device {device.Name} is up", StringComparison.Ordinal))
            {
                up.TrySetResult();
            }
        }

        var silo = _testbed.Start(device.Name, command, OnLine, OnLine);
        silo.EnableRaisingEvents = true;
        silo.Exited += (_, _) =>
        {
            var tail = string.Join(" | ", log.Tail().TakeLast(3));
            up.TrySetException(new InvalidOperationException($"the silo of {device.Name} exited (code {silo.ExitCode}) before it was up: {tail} (log: {logPath})."));
        };
        _logs.Add(log);
        return (silo, up.Task);
    }

    /// <summary>Runs <c>galaxy eval measure</c> in the client namespace and collects its samples.</summary>
    private async Task MeasureAsync(EvaluationSetup setup, string model, int count, string bandwidth, string gateway, string logPath, CancellationToken cancellation)
    {
        var grid = setup.Grid;
        var command = new List<string>
        {
            "dotnet", paths.Client, "eval", "measure", "--gateway", gateway, "--cluster", ClusterId, "--model", model,
            "--seq", string.Join(',', grid.SequenceLengths), "--modes", string.Join(',', grid.Modes.Select(ModeNames.Name)),
            "--runs", grid.Runs.ToString(CultureInfo.InvariantCulture), "--warmup", grid.Warmup.ToString(CultureInfo.InvariantCulture),
            "--devices", count.ToString(CultureInfo.InvariantCulture),
        };
        using var log = new LineLog(logPath);
        var lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
        using var measure = _testbed.Start(Testbed.Client, command, line => lines.Writer.TryWrite(line), log.Write);
        // WaitForExitAsync returns once the output has been read to its end, so no sample is lost.
        var exited = measure.WaitForExitAsync(cancellation).ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);
        await foreach (var line in lines.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            EvaluationSample? sample;
            try
            {
                sample = JsonSerializer.Deserialize<EvaluationSample>(line);
            }
            catch (JsonException)
            {
                log.Write(line);
                continue;
            }

            if (sample is null)
            {
                continue;
            }

            sample = sample with { Setup = setup.Name, ClusterDevices = count, Bandwidth = bandwidth };
            _samples.Add(sample);
            _done += sample.Fits ? 1 : grid.Runs;
            await output.WriteLineAsync(Progress(sample)).ConfigureAwait(false);
        }

        await exited.ConfigureAwait(false);
        if (measure.ExitCode != 0)
        {
            throw new InvalidOperationException($"galaxy eval measure failed on {setup.Name}/{model}/{count} devices/{bandwidth} (exit {measure.ExitCode}): {string.Join(" | ", log.Tail().TakeLast(3))} (log: {logPath}).");
        }
    }

    private string Progress(EvaluationSample sample)
    {
        var elapsed = _clock.Elapsed;
        var left = _done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (_total - _done) / _done) : TimeSpan.Zero;
        var cell = $"{sample.Setup} {sample.ClusterDevices}dev {sample.Bandwidth} {sample.Model} S={sample.Sequence} {sample.Mode}";
        var what = sample.Fits
            ? string.Create(CultureInfo.InvariantCulture, $"run {sample.Run}: {sample.WallMilliseconds:F0} ms (predicted {sample.PredictedMilliseconds:F0}) on {string.Join('+', sample.Devices)}")
            : $"OOM: {sample.Oom}";
        return string.Create(CultureInfo.InvariantCulture, $"[{_done,4}/{_total}  {elapsed:hh\\:mm\\:ss} elapsed, ~{left:hh\\:mm\\:ss} left] {cell} {what}");
    }

    /// <summary>The directory to give silos as --models: holds only <paramref name="model"/> (a link to the synthetic checkpoint), so they profile only it.</summary>
    private string PrepareModel(string model)
    {
        var checkpoint = Path.Combine(paths.Models, model);
        if (!File.Exists(Path.Combine(checkpoint, "config.json")))
        {
            var config = ModelPresets.Get(model);
            output.WriteLine($"eval: writing the synthetic {model} to {checkpoint} (once) …");
            var partial = $"{checkpoint}.partial";
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }

            SyntheticCheckpoint.Write(config, partial, seed: 1);
            if (!config.IsDecoder)
            {
                // Encoders need a vocabulary to load (the evaluation sends token ids, never text): MiniLM's.
                var miniLm = MiniLmModel.Prepare(Path.Combine(paths.Models, "minilm")).ModelDirectory;
                File.Copy(Path.Combine(miniLm, "vocab.txt"), Path.Combine(partial, "vocab.txt"));
            }

            Directory.Move(partial, checkpoint);
        }

        var served = Path.Combine(paths.Work, $"models-{model}");
        Directory.CreateDirectory(served);
        var link = Path.Combine(served, model);
        if (!Directory.Exists(link))
        {
            Directory.CreateSymbolicLink(link, Path.GetFullPath(checkpoint));
        }

        return served;
    }

    private async Task WriteResultsAsync(IReadOnlyList<EvaluationSetup> setups, string command)
    {
        var cells = EvaluationStatistics.Summarize(_samples);
        var results = new EvaluationResults(DateTimeOffset.UtcNow, command, Environment.ProcessorCount, setups, _samples, cells);
        var plots = await WriteAsync(results, paths.Output).ConfigureAwait(false);
        await output.WriteLineAsync($"eval: wrote eval.json, eval.md and {plots} plots (PNG + SVG) to {paths.Output} after {_clock.Elapsed:hh\\:mm\\:ss}").ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="results"/> as eval.json, eval.md and the plots into <paramref name="directory"/>; returns the number of plots.</summary>
    public static async Task<int> WriteAsync(EvaluationResults results, string directory)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "eval.json"), JsonSerializer.Serialize(results, EvaluationResults.JsonOptions)).ConfigureAwait(false);
        var plots = EvaluationPlots.Write(results.Setups, results.Cells, directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "eval.md"), EvaluationReport.Markdown(results, plots)).ConfigureAwait(false);
        return plots.Count;
    }

    /// <summary>Reads an eval.json written by <see cref="WriteAsync"/> (to render its report again, e.g. after the report changed).</summary>
    /// <exception cref="InvalidDataException">The file is not such results.</exception>
    public static async Task<EvaluationResults> ReadAsync(string path)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<EvaluationResults>(stream, EvaluationResults.JsonOptions).ConfigureAwait(false)
                ?? throw new InvalidDataException($"'{path}' holds no evaluation results.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not an eval.json: {e.Message}", e);
        }
    }
}
