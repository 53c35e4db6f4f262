using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Galaxy.Grains;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;
using Galaxy.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Spectre.Console;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy demo</c>: starts an embedded cluster of device silos in this process (each with its own thread budget,
/// over TCP loopback), embeds a few sentences with MiniLM across all of them through <see cref="IInferenceGrain"/>,
/// and prints the plan the coordinator made beside each device's measured profile, each device's time, and the cosine
/// against the single-device result.
/// </summary>
internal static class DemoCommand
{
    // The sequence length the profile's GEMMs were timed at (GalaxyDeviceOptions.ProfileRows) and plans compare speeds at.
    private const int ReferenceLength = 128;

    private static readonly string[] DefaultTexts =
    [
        "Galaxy splits one inference across several devices on a local network.",
        "The quick brown fox jumps over the lazy dog.",
        "Edge devices work together so that none of them has to hold the whole model.",
    ];

    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Device silos to start (1–6).", DefaultValueFactory = _ => 3 };
        var texts = new Argument<string[]>("text") { Description = "Texts to embed (default: three sample sentences).", Arity = ArgumentArity.ZeroOrMore };
        var threads = new Option<string>("--threads") { Description = "Kernel threads per device, comma-separated; the last repeats (default 2,1: dev1 gets 2).", DefaultValueFactory = _ => "2,1" };
        var command = new Command("demo", "Runs MiniLM across an embedded cluster of device silos in this process.") { devices, threads, texts };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                var chosen = parse.GetValue(texts) is { Length: > 0 } given ? given : DefaultTexts;
                return await RunAsync(parse.GetValue(devices), ParseThreads(parse.GetRequiredValue(threads)), chosen, cancellation).ConfigureAwait(false);
            }
            catch (CommandException e)
            {
                await Console.Error.WriteLineAsync($"galaxy demo: {e.Message}").ConfigureAwait(false);
                return CommandException.ExitCode;
            }
        });
        return command;
    }

    private static int[] ParseThreads(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        var threads = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out threads[i]) || threads[i] < 1)
            {
                throw new CommandException($"--threads must be positive whole numbers separated by commas, got '{list}'.");
            }
        }

        return threads;
    }

    private static async Task<int> RunAsync(int deviceCount, int[] threadBudgets, string[] texts, CancellationToken cancellation)
    {
        if (deviceCount is < 1 or > 6)
        {
            throw new CommandException($"--devices must be 1…6, got {deviceCount}.");
        }

        if (texts.Any(string.IsNullOrWhiteSpace))
        {
            throw new CommandException("every text must contain something other than whitespace.");
        }

        var models = ModelLocator.CacheDirectory;
        Console.WriteLine($"preparing MiniLM under {models} …");
        var minilm = MiniLmModel.Prepare(Path.Combine(models, ModelCatalog.MiniLmId)).ModelDirectory;

        var hosts = new List<IHost>();
        try
        {
            // Start the silos one after another (steadier than in parallel, DESIGN.md §6); device 1 is the primary.
            var siloPorts = Galaxy.Silo.FreePorts.Take(deviceCount);
            var threadsOf = new Dictionary<string, int>(StringComparer.Ordinal);
            var gatewayPorts = Galaxy.Silo.FreePorts.Take(deviceCount);
            for (var i = 0; i < deviceCount; i++)
            {
                var device = $"dev{i + 1}";
                var threads = threadBudgets[Math.Min(i, threadBudgets.Length - 1)];
                var host = BuildSilo(device, threads, models, siloPorts[i], gatewayPorts[i], new IPEndPoint(IPAddress.Loopback, siloPorts[0]));
                await host.StartAsync(cancellation).ConfigureAwait(false);
                hosts.Add(host);
                threadsOf[device] = threads;
                Console.WriteLine($"  {device}: silo port {siloPorts[i]}, {threads} kernel thread{(threads == 1 ? "" : "s")}");
            }

            await WaitForDevicesAsync(hosts, TimeSpan.FromSeconds(30), cancellation).ConfigureAwait(false);
            var grains = hosts[0].Services.GetRequiredService<IGrainFactory>();
            var coordinator = grains.GetGrain<IInferenceGrain>(ModelCatalog.MiniLmId);

            var reference = LocalModel.Load(minilm);
            using var referenceThreads = new KernelThreads(1);
            var encoder = new Encoder(reference.Weights, referenceThreads);

            // The first request loads every device's slice; time the second.
            await coordinator.EmbedAsync([texts[0]]).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var result = await coordinator.EmbedAsync(texts).ConfigureAwait(false);
            var total = clock.Elapsed.TotalMilliseconds;
            var status = await coordinator.GetStatusAsync().ConfigureAwait(false);

            Console.WriteLine();
            WritePlan(TerminalConsole.For(Console.Out), reference.Config, status, result, threadsOf);
            var singleTotal = 0.0;
            for (var t = 0; t < texts.Length; t++)
            {
                var ids = reference.Tokenizer.Encode(texts[t], reference.Config.MaxPositions);
                var single = Stopwatch.StartNew();
                var expected = Encoder.MeanPool(encoder.Forward(ids, default, default), default, 1, reference.Config.HiddenSize);
                var singleMs = single.Elapsed.TotalMilliseconds;
                singleTotal += singleMs;
                var timing = result.Texts[t];
                Console.WriteLine();
                Console.WriteLine($"\"{texts[t]}\"");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {timing.Tokens} tokens · {timing.WallMilliseconds:F1} ms on {timing.Devices.Count} devices · {singleMs:F1} ms on one (1 thread) · cosine {Cosine(expected, result.Embedding(t)):F7}"));
                foreach (var d in timing.Devices)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    {d.Device}: {d.Share.Heads,2} heads, {d.Share.MlpColumns,4} MLP columns, {d.Share.Rows,3} rows · compute {d.ComputeMilliseconds,6:F1} ms · wall {d.WallMilliseconds,6:F1} ms"));
                }
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{texts.Length} texts in {total:F1} ms across {deviceCount} devices ({singleTotal:F1} ms on one device, 1 thread)."));
            return 0;
        }
        finally
        {
            foreach (var host in Enumerable.Reverse(hosts))
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                host.Dispose();
            }
        }
    }

    /// <summary>
    /// The split the coordinator made (heads and MLP columns per device, rows per text) beside what it made it from:
    /// each device's measured profile at the model's shapes.
    /// </summary>
    private static void WritePlan(IAnsiConsole console, ModelConfig config, Grains.ClusterStatus status, EmbedResult result, Dictionary<string, int> threads)
    {
        var plan = result.Texts[0].Devices;
        var speeds = plan.ToDictionary(d => d.Device, d => status.Devices.FirstOrDefault(s => s.Device == d.Device)?.Profile?.For(status.Model), StringComparer.Ordinal);
        var layerSpeeds = speeds.ToDictionary(pair => pair.Key, pair => pair.Value is { } measured ? LayerFlopsPerSecond(measured) : 0, StringComparer.Ordinal);
        var fastest = layerSpeeds.Values.Sum();
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plan the coordinator made from the devices' measured profiles ({status.Model}: {config.Layers} layers, each {config.Heads} heads and {config.IntermediateSize} MLP columns):"));
        var table = new Table().Border(TableBorder.Rounded);
        string[] columns = ["device", "kernel threads", "GEMM GFLOP/s qkv/out/up/down", "attention GFLOP/s S=128", "layer GFLOP/s", "share of speed", "heads", "MLP columns", "rows per text"];
        for (var i = 0; i < columns.Length; i++)
        {
            var column = new TableColumn(new Text(columns[i]));
            table.AddColumn(i == 0 ? column : column.RightAligned());
        }

        foreach (var d in plan)
        {
            var measured = speeds[d.Device];
            var gemms = measured is null ? "not measured" : string.Join('/', measured.Gemms.Select(g => DeviceProfileReport.Gflops(g.FlopsPerSecond)));
            var attention = measured?.Attention.OrderBy(a => Math.Abs(a.SequenceLength - ReferenceLength)).FirstOrDefault() is { } a ? DeviceProfileReport.Gflops(a.FlopsPerSecond) : "-";
            var rows = string.Join(" · ", result.Texts.Select(text => text.Devices.FirstOrDefault(x => x.Device == d.Device)?.Share.Rows ?? 0));
            string[] cells =
            [
                d.Device,
                threads.TryGetValue(d.Device, out var n) ? n.ToString(CultureInfo.InvariantCulture) : "-",
                gemms,
                attention,
                layerSpeeds[d.Device] > 0 ? DeviceProfileReport.Gflops(layerSpeeds[d.Device]) : "-",
                fastest > 0 ? (layerSpeeds[d.Device] / fastest).ToString("P0", CultureInfo.InvariantCulture) : "-",
                d.Share.Heads.ToString(CultureInfo.InvariantCulture),
                d.Share.MlpColumns.ToString(CultureInfo.InvariantCulture),
                rows,
            ];
            table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
        }

        console.Write(table);
    }

    /// <summary>
    /// A device's speed on one whole layer at <see cref="ReferenceLength"/> tokens from its profile: the layer's FLOP
    /// (four GEMMs and attention) over the time the measured rates give them.
    /// </summary>
    private static double LayerFlopsPerSecond(ModelThroughput measured)
    {
        var attention = measured.Attention.OrderBy(a => Math.Abs(a.SequenceLength - ReferenceLength)).FirstOrDefault();
        var flops = measured.Gemms.Sum(g => g.Flops) + (attention?.Flops ?? 0);
        var seconds = measured.Gemms.Sum(g => g.Flops / g.FlopsPerSecond) + (attention is null ? 0 : attention.Flops / attention.FlopsPerSecond);
        return seconds > 0 ? flops / seconds : 0;
    }

    private static IHost BuildSilo(string device, int threads, string models, int siloPort, int gatewayPort, IPEndPoint primary)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);

        // A stream pulling agent (and the memory queue it reads) logs a cancelled queue read as an error while silos
        // join, queues move between them, or the demo shuts down: harmless here.
        builder.Logging.AddFilter("Orleans.Streams", LogLevel.Critical);
        builder.Logging.AddFilter("Orleans.Providers.MemoryAdapterReceiver", LogLevel.Critical);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, primary, "galaxy-demo", "galaxy-demo");
            silo.AddGalaxyDevice(device, models, threads);

            // The demo shows the split across every device (the planner alone would keep only the devices that make a request faster).
            silo.Services.Configure<GalaxyDeviceOptions>(o => o.PlanOnAllDevices = true);
        });
        return builder.Build();
    }

    /// <summary>Waits until every silo's metadata cache knows every silo's device (placement reads it).</summary>
    private static async Task WaitForDevicesAsync(List<IHost> hosts, TimeSpan limit, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var counts = hosts.Select(h => h.Services.GetRequiredService<DeviceDirectory>().ActiveDevices().Count);
            if (counts.All(c => c == hosts.Count))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new CommandException($"the {hosts.Count} silos did not all see each other's devices within {limit.TotalSeconds} s.");
            }

            await Task.Delay(100, cancellation).ConfigureAwait(false);
        }
    }


    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
