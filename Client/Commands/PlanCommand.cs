using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Galaxy.Grains;
using Galaxy.Grains.Planning;
using Galaxy.Kernels.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Spectre.Console;

namespace Galaxy.Client.Commands;

/// <summary>
/// <c>galaxy plan --model m --seq n (--profiles file | --gateway host:port) [--devices a,b] [--what-if file] [--explain] [--json]</c>:
/// the heterogeneity-aware planner's plan for a model on a set of devices — offline from a profiles file, or live from
/// a running cluster's registry — with per-device shares, predicted compute, communication and memory, and the devices
/// left out with the reason. <c>--what-if</c> adds devices from another profiles file and shows what they would change;
/// <c>--measure n</c> (live) runs n requests and prints predicted against measured latency per device.
/// </summary>
internal static class PlanCommand
{
    /// <summary>all-MiniLM-L6-v2's shape, so <c>--model minilm</c> needs no files.</summary>
    private static readonly ModelConfig MiniLm = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 384, Heads = 12, Layers = 6, IntermediateSize = 1536,
        VocabularySize = 30522, MaxPositions = 512, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    private static readonly Dictionary<string, PlanStrategy> Strategies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["galaxy"] = PlanStrategy.Galaxy,
        ["local"] = PlanStrategy.Local,
        ["megatron"] = PlanStrategy.UniformMegatron,
        ["planned-megatron"] = PlanStrategy.PlannedMegatron,
        ["sequence"] = PlanStrategy.Sequence,
        ["uniform"] = PlanStrategy.UniformHybrid,
    };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"A preset ({string.Join(", ", ModelPresets.Names)}), minilm, or a model directory / config.json.", Required = true };
        var sequence = new Option<int>("--seq") { Description = "Sequence length to plan for.", DefaultValueFactory = _ => 128 };
        var profiles = new Option<string?>("--profiles") { Description = "A profiles file (docs/planner.md) to plan offline." };
        var gateway = new Option<string?>("--gateway") { Description = "host:port of a running cluster's gateway, to plan from its measured profiles and links." };
        var cluster = new Option<string>("--cluster") { Description = "The cluster id (live).", DefaultValueFactory = _ => "galaxy" };
        var modelId = new Option<string?>("--model-id") { Description = "The model id the profiles are keyed by (default: the --model name)." };
        var devices = new Option<string[]>("--devices") { Description = "Only these devices (comma-separated).", AllowMultipleArgumentsPerToken = true };
        var whatIf = new Option<string?>("--what-if") { Description = "A profiles file of devices to add: shows the plan with them." };
        var strategy = new Option<string>("--strategy") { Description = $"What to plan: {string.Join(", ", Strategies.Keys)}.", DefaultValueFactory = _ => "galaxy" };
        var precision = new Option<string>("--precision") { Description = "Link precision the plan assumes: fp32, bf16 or int8.", DefaultValueFactory = _ => "fp32" };
        var granularity = new Option<int>("--granularity") { Description = "MLP columns per unit.", DefaultValueFactory = _ => 8 };
        var exchange = new Option<string>("--exchange") { Description = "auto, ring or direct.", DefaultValueFactory = _ => "auto" };
        var explain = new Option<bool>("--explain") { Description = "Also print overlap, memory breakdown, rates and every baseline's prediction." };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON." };
        var measure = new Option<int>("--measure") { Description = "Live only: run this many requests of --seq random tokens and print predicted vs measured." };
        var command = new Command("plan", "Plans a model over devices (offline from a profiles file or live from a cluster) and explains the choice.")
        {
            model, sequence, profiles, gateway, cluster, modelId, devices, whatIf, strategy, precision, granularity, exchange, explain, json, measure,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                var request = new PlanRequest(
                    parse.GetRequiredValue(model),
                    parse.GetValue(sequence),
                    parse.GetValue(profiles),
                    parse.GetValue(gateway),
                    parse.GetRequiredValue(cluster),
                    parse.GetValue(modelId),
                    [.. (parse.GetValue(devices) ?? []).SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                    parse.GetValue(whatIf),
                    parse.GetRequiredValue(strategy),
                    parse.GetRequiredValue(precision),
                    parse.GetValue(granularity),
                    parse.GetRequiredValue(exchange),
                    parse.GetValue(explain),
                    parse.GetValue(json),
                    parse.GetValue(measure));
                return await RunAsync(request, cancellation).ConfigureAwait(false);
            }
            catch (CommandException e)
            {
                await Console.Error.WriteLineAsync($"galaxy plan: {e.Message}").ConfigureAwait(false);
                return CommandException.ExitCode;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(PlanRequest request, CancellationToken cancellation)
    {
        var config = LoadConfig(request.Model);
        var id = request.ModelId ?? (Directory.Exists(request.Model) || File.Exists(request.Model) ? Path.GetFileName(Path.GetFullPath(request.Model).TrimEnd('/', Path.DirectorySeparatorChar)) : request.Model);
        if (request.Sequence < 1 || request.Sequence > config.MaxPositions)
        {
            throw new CommandException($"--seq must be 1 … {config.MaxPositions} (the model's positions), got {request.Sequence}.");
        }

        var options = Options(request);
        if ((request.Profiles is null) == (request.Gateway is null))
        {
            throw new CommandException("give either --profiles <file> (offline) or --gateway host:port (a running cluster).");
        }

        if (request.Measure < 0 || (request.Measure > 0 && request.Gateway is null))
        {
            throw new CommandException("--measure takes a count ≥ 1 and needs --gateway (it runs requests on the cluster).");
        }

        if (request.Profiles is not null)
        {
            var cluster = Restrict(ReadProfiles(request.Profiles, id, config), request.Devices);
            return Report(request, config, id, cluster, options);
        }

        if (!IPEndPoint.TryParse(request.Gateway!, out var endpoint))
        {
            throw new CommandException($"--gateway must be host:port with a numeric address, got '{request.Gateway}'.");
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoint);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = request.Cluster;
                o.ServiceId = request.Cluster;
            });
        });
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CommandException($"cannot reach the cluster at {request.Gateway}: {e.Message}");
        }

        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var coordinator = grains.GetGrain<IInferenceGrain>(id);
            var status = await coordinator.GetStatusAsync().ConfigureAwait(false);
            var live = ProfileAdapter.ToCluster([.. status.Devices.Select(d => d.Device)], [.. status.Devices.Select(d => d.Profile).OfType<DeviceProfile>()], status.Links, id, config);
            var exit = Report(request, config, id, Restrict(live, request.Devices), options);
            if (request.Measure > 0)
            {
                await MeasureAsync(coordinator, config, request).ConfigureAwait(false);
            }

            return exit;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static int Report(PlanRequest request, ModelConfig config, string id, PlanningCluster cluster, PlannerOptions options)
    {
        var split = Plan(config, request.Sequence, cluster, options);
        PlannedSplit? wider = null;
        if (request.WhatIf is not null)
        {
            var added = ReadProfiles(request.WhatIf, id, config);
            try
            {
                // The base plan's devices are a candidate too: "would these devices help?" never answers with a plan
                // predicted slower than without them, however many devices the search has to consider.
                wider = Plan(config, request.Sequence, cluster.With(added.Devices, added.ExplicitLinks), options, [split.Devices]);
            }
            catch (ArgumentException e)
            {
                throw new CommandException($"--what-if: {e.Message}");
            }
        }

        if (request.Json)
        {
            var root = Json(id, split);
            if (wider is not null)
            {
                root["what_if"] = Json(id, wider);
                root["what_if_gain_ms"] = Math.Round((split.Prediction.TotalSeconds - wider.Prediction.TotalSeconds) * 1000, 3);
            }

            Console.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        Print(id, config, split, request.Explain);
        if (request.Explain)
        {
            PrintBaselines(config, request.Sequence, cluster, options);
        }

        if (wider is not null)
        {
            AnsiConsole.WriteLine();
            AnsiConsole.MarkupLine("[bold]what if[/] the devices of " + Markup.Escape(request.WhatIf!) + " join:");
            Print(id, config, wider, request.Explain);
            var gain = (split.Prediction.TotalSeconds - wider.Prediction.TotalSeconds) * 1000;
            AnsiConsole.MarkupLine(Markup.Escape(gain > 1e-6
                ? Format($"→ {gain:F1} ms faster ({split.Prediction.TotalSeconds * 1000:F1} → {wider.Prediction.TotalSeconds * 1000:F1} ms).")
                : Format($"→ no faster: the planner would not use them ({split.Prediction.TotalSeconds * 1000:F1} ms either way).")));
        }

        return 0;
    }

    private static PlannedSplit Plan(ModelConfig config, int sequence, PlanningCluster cluster, PlannerOptions options, IReadOnlyList<IReadOnlyList<string>>? alsoConsider = null)
    {
        try
        {
            return HeterogeneousPlanner.Plan(config, sequence, cluster, options, alsoConsider);
        }
        catch (PlanDoesNotFitException e)
        {
            throw new CommandException(e.Message);
        }
        catch (ArgumentException e)
        {
            throw new CommandException(e.Message);
        }
    }

    private static void Print(string id, ModelConfig config, PlannedSplit split, bool explain)
    {
        var prediction = split.Prediction;
        AnsiConsole.MarkupLine(Markup.Escape(Format(
            $"{id}: {config.Layers} layers, seq {split.SequenceLength}, {split.Strategy} plan ({split.Plan.Mode}, {prediction.Exchange} exchange) on {split.Devices.Count} device(s): predicted {prediction.TotalSeconds * 1000:F1} ms ({prediction.LayerSeconds * 1000:F2} ms per layer)")));
        var table = new Table().AddColumns("device", "heads", "columns", "rows", "compute ms", "comm ms", "msg cpu ms", "memory / budget");
        if (explain)
        {
            table.AddColumns("overlap ms", "weights", "activations", "KV", "runtime");
        }

        foreach (var d in prediction.Devices)
        {
            var cells = new List<string>
            {
                d.Device,
                Int(d.Share.Heads),
                Int(d.Share.MlpColumns),
                Int(d.Share.Rows),
                d.Slowdown > 1 ? Format($"{d.ComputeSeconds * 1000:F1} (×{d.Slowdown:F2} shared host)") : Format($"{d.ComputeSeconds * 1000:F1}"),
                Format($"{d.CommunicationSeconds * 1000:F1}"),
                Format($"{d.MessagingSeconds * 1000:F1}"),
                $"{Bytes(d.Memory.Total)} / {Bytes(d.MemoryBudgetBytes)}",
            };
            if (explain)
            {
                cells.AddRange([Format($"{d.HiddenCommunicationSeconds * 1000:F1}"), Bytes(d.Memory.Weights), Bytes(d.Memory.Activations), Bytes(d.Memory.KeyValueCache), Bytes(d.Memory.Runtime)]);
            }

            table.AddRow([.. cells.Select(Markup.Escape)]);
        }

        AnsiConsole.Write(table);
        foreach (var excluded in split.Excluded)
        {
            AnsiConsole.MarkupLine(Markup.Escape($"left out {excluded.Device}: {excluded.Reason}"));
        }

        if (explain)
        {
            AnsiConsole.MarkupLine(Markup.Escape(Format($"{split.CandidatesEvaluated} device subsets planned; compute = its GEMM and attention FLOP at its measured rates (×σ when devices of the plan oversubscribe its host's cores); comm = its link time (bytes / bandwidth + latency per message); msg cpu = CPU its messages cost it (per message + per byte, sent and received, scaled by its quota); overlap = link time that ran while it computed.")));
        }
    }

    private static void PrintBaselines(ModelConfig config, int sequence, PlanningCluster cluster, PlannerOptions options)
    {
        var table = new Table().AddColumns("strategy", "devices", "mode", "predicted ms");
        foreach (var (name, strategy) in Strategies)
        {
            try
            {
                var plan = HeterogeneousPlanner.Plan(config, sequence, cluster, options with { Strategy = strategy });
                table.AddRow(name, Int(plan.Devices.Count), plan.Plan.Mode.ToString(), Format($"{plan.Prediction.TotalSeconds * 1000:F1}"));
            }
            catch (PlanDoesNotFitException)
            {
                table.AddRow(name, "–", "–", "does not fit");
            }
        }

        AnsiConsole.MarkupLine("[bold]baselines[/] (same cost model):");
        AnsiConsole.Write(table);
    }

    private static async Task MeasureAsync(IInferenceGrain coordinator, ModelConfig config, PlanRequest request)
    {
        var random = new Random(1);
        var table = new Table().AddColumns("request", "device", "heads", "columns", "rows", "compute ms measured / predicted", "wall ms measured / predicted");
        for (var i = 0; i < request.Measure; i++)
        {
            var tokens = Enumerable.Range(0, request.Sequence).Select(_ => random.Next(1000, Math.Min(config.VocabularySize, 30000))).ToArray();
            InferResult result;
            try
            {
                result = await coordinator.InferAsync(tokens).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new CommandException(e.Message);
            }

            foreach (var d in result.Devices)
            {
                table.AddRow(
                    Int(i + 1),
                    d.Device,
                    Int(d.Share.Heads),
                    Int(d.Share.MlpColumns),
                    Int(d.Share.Rows),
                    Format($"{d.ComputeMilliseconds:F1} / {d.PredictedComputeMilliseconds:F1}"),
                    Format($"{d.WallMilliseconds:F1} / {d.PredictedWallMilliseconds:F1}"));
            }

            table.AddRow(Int(i + 1), "request", "", "", "", "", Format($"{result.WallMilliseconds:F1} / {result.PredictedMilliseconds:F1}"));
        }

        AnsiConsole.MarkupLine("[bold]measured[/] on the cluster:");
        AnsiConsole.Write(table);
    }

    private static JsonObject Json(string id, PlannedSplit split) => new()
    {
        ["model"] = id,
        ["seq"] = split.SequenceLength,
        ["strategy"] = split.Strategy.ToString(),
        ["mode"] = split.Plan.Mode.ToString(),
        ["exchange"] = split.Prediction.Exchange.ToString(),
        ["predicted_ms"] = Math.Round(split.Prediction.TotalSeconds * 1000, 3),
        ["devices"] = new JsonArray([.. split.Prediction.Devices.Select(d => (JsonNode)new JsonObject
        {
            ["device"] = d.Device,
            ["heads"] = d.Share.Heads,
            ["mlp_columns"] = d.Share.MlpColumns,
            ["rows"] = d.Share.Rows,
            ["predicted_compute_ms"] = Math.Round(d.ComputeSeconds * 1000, 3),
            ["predicted_comm_ms"] = Math.Round(d.CommunicationSeconds * 1000, 3),
            ["predicted_overlap_ms"] = Math.Round(d.HiddenCommunicationSeconds * 1000, 3),
            ["predicted_message_cpu_ms"] = Math.Round(d.MessagingSeconds * 1000, 3),
            ["host_slowdown"] = Math.Round(d.Slowdown, 4),
            ["memory_bytes"] = d.Memory.Total,
            ["memory_budget_bytes"] = d.MemoryBudgetBytes,
        })]),
        ["excluded"] = new JsonArray([.. split.Excluded.Select(e => (JsonNode)new JsonObject { ["device"] = e.Device, ["reason"] = e.Reason })]),
    };

    private static PlannerOptions Options(PlanRequest request)
    {
        if (!Strategies.TryGetValue(request.Strategy, out var strategy))
        {
            throw new CommandException($"--strategy must be one of {string.Join(", ", Strategies.Keys)}, got '{request.Strategy}'.");
        }

        var bytes = request.Precision.ToUpperInvariant() switch
        {
            "FP32" => 4.0,
            "BF16" => 2.0,
            "INT8" => 1.125,
            _ => throw new CommandException($"--precision must be fp32, bf16 or int8, got '{request.Precision}'."),
        };
        Galaxy.Kernels.Parallel.CollectiveAlgorithm? exchange = request.Exchange.ToUpperInvariant() switch
        {
            "AUTO" => null,
            "RING" => Galaxy.Kernels.Parallel.CollectiveAlgorithm.Ring,
            "DIRECT" => Galaxy.Kernels.Parallel.CollectiveAlgorithm.Direct,
            _ => throw new CommandException($"--exchange must be auto, ring or direct, got '{request.Exchange}'."),
        };
        if (request.Granularity < 1)
        {
            throw new CommandException($"--granularity must be ≥ 1, got {request.Granularity}.");
        }

        return new PlannerOptions { Strategy = strategy, BytesPerElement = bytes, Exchange = exchange, ColumnGranularity = request.Granularity };
    }

    private static ModelConfig LoadConfig(string model)
    {
        if (string.Equals(model, "minilm", StringComparison.OrdinalIgnoreCase))
        {
            return MiniLm;
        }

        if (ModelPresets.Names.Contains(model, StringComparer.OrdinalIgnoreCase))
        {
            return ModelPresets.Get(model);
        }

        var path = Directory.Exists(model) ? Path.Combine(model, "config.json") : model;
        if (!File.Exists(path))
        {
            throw new CommandException($"--model '{model}' is neither a preset ({string.Join(", ", ModelPresets.Names)}, minilm) nor a model directory or config.json.");
        }

        try
        {
            return ModelConfig.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new CommandException(e.Message);
        }
    }

    private static PlanningCluster ReadProfiles(string path, string id, ModelConfig config)
    {
        try
        {
            return ProfileFile.Load(path, id, config);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or UnauthorizedAccessException or IOException)
        {
            throw new CommandException(e.Message);
        }
    }

    private static PlanningCluster Restrict(PlanningCluster cluster, IReadOnlyList<string> devices)
    {
        if (devices.Count == 0)
        {
            return cluster;
        }

        try
        {
            return cluster.Only(devices);
        }
        catch (ArgumentException e)
        {
            throw new CommandException($"--devices: {e.Message.Replace(" (Parameter 'names')", string.Empty, StringComparison.Ordinal)}");
        }
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes switch
    {
        long.MaxValue => "unlimited",
        >= 1L << 30 => Format($"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => Format($"{bytes / (double)(1L << 20):F0} MiB"),
        _ => Format($"{bytes / 1024.0:F0} KiB"),
    };

    private sealed record PlanRequest(
        string Model,
        int Sequence,
        string? Profiles,
        string? Gateway,
        string Cluster,
        string? ModelId,
        IReadOnlyList<string> Devices,
        string? WhatIf,
        string Strategy,
        string Precision,
        int Granularity,
        string Exchange,
        bool Explain,
        bool Json,
        int Measure);
}
