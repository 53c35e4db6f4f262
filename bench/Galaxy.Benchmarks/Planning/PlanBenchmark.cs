using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Galaxy.Grains.Planning;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;
using Spectre.Console;

namespace Galaxy.Benchmarks.Planning;

/// <summary>
/// The <c>plan</c> command: how long <see cref="HeterogeneousPlanner.Plan"/> takes for N seeded heterogeneous devices
/// (speeds 1–20 GFLOP/s, budgets, uplinks 10 Mbit/s – 10 Gbit/s) and a model preset, against the previous design's
/// planner (shares proportional to speed, one cost-model prediction) as the anchor row, with both plans' predicted
/// latency. The target: 16 devices × a 24-layer model in &lt; 50 ms. The "+ previous" row plans the same N
/// devices with the plan of the first N − 1 as a candidate, as the coordinator does when a device joins (its time
/// excludes planning the N − 1).
/// </summary>
public static class PlanBenchmark
{
    public static Command Create()
    {
        var devices = new Option<int[]>("--devices") { Description = "Device counts to plan for.", DefaultValueFactory = _ => [1, 2, 4, 8, 12, 16], AllowMultipleArgumentsPerToken = true };
        var model = new Option<string>("--model") { Description = "Model preset.", DefaultValueFactory = _ => "bert-large" };
        var sequence = new Option<int>("--seq") { Description = "Sequence length.", DefaultValueFactory = _ => 128 };
        var repeats = new Option<int>("--repeats") { Description = "Timed plans per device count (after one warm-up).", DefaultValueFactory = _ => 15 };
        var command = new Command("plan", "Time the heterogeneity-aware planner for N devices (target: 16 devices × 24 layers < 50 ms), against proportional shares.")
        {
            devices, model, sequence, repeats,
        };
        command.SetAction(parse =>
        {
            var config = ModelPresets.Get(parse.GetRequiredValue(model));
            var counts = parse.GetRequiredValue(devices);
            var length = parse.GetValue(sequence);
            var rounds = parse.GetValue(repeats);
            if (counts.Any(c => c is < 1 or > 64) || length < 1 || length > config.MaxPositions || rounds < 1)
            {
                Console.Error.WriteLine($"error: --devices 1…64, --seq 1…{config.MaxPositions}, --repeats ≥ 1.");
                return 2;
            }

            Run(config, parse.GetRequiredValue(model), counts, length, rounds);
            return 0;
        });
        return command;
    }

    private static void Run(ModelConfig config, string name, int[] counts, int sequence, int rounds)
    {
        var table = new Table().AddColumns("N", "planner", "median ms", "min", "max", "subsets", "used", "predicted ms");
        foreach (var count in counts)
        {
            var cluster = SeededCluster(count, config, sequence);
            var options = new PlannerOptions();
            TimeAndAdd(table, count, "galaxy", rounds, () => HeterogeneousPlanner.Plan(config, sequence, cluster, options), _ => "");
            if (count > 1)
            {
                var previous = HeterogeneousPlanner.Plan(config, sequence, SeededCluster(count - 1, config, sequence), options);
                IReadOnlyList<IReadOnlyList<string>> candidate = [previous.Devices];
                TimeAndAdd(
                    table,
                    count,
                    "galaxy + previous",
                    rounds,
                    () => HeterogeneousPlanner.Plan(config, sequence, cluster, options, candidate),
                    s => s.Prediction.TotalSeconds <= previous.Prediction.TotalSeconds ? "" : " (slower than N − 1!)");
            }

            // Anchor: the previous design's shares, proportional to speed over every device, predicted by the same model.
            var started2 = Stopwatch.GetTimestamp();
            var anchor = Proportional(config, sequence, cluster, options);
            var anchorMs = Stopwatch.GetElapsedTime(started2).TotalMilliseconds;
            table.AddRow(
                count.ToString(CultureInfo.InvariantCulture),
                "proportional",
                Ms(anchorMs),
                "",
                "",
                "1",
                count.ToString(CultureInfo.InvariantCulture),
                anchor is { Fits: true } ? Ms(anchor.TotalSeconds * 1000) : "does not fit");
        }

        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]plan[/] {name} ({config.Layers} layers), seq {sequence}, {Environment.ProcessorCount} cores"));
        AnsiConsole.Write(table);
    }

    /// <summary>Plans once to warm up, then <paramref name="rounds"/> times timed; adds the row (median, min, max, subsets, devices used, prediction + <paramref name="note"/>).</summary>
    private static void TimeAndAdd(Table table, int count, string planner, int rounds, Func<PlannedSplit> plan, Func<PlannedSplit, string> note)
    {
        var split = plan();
        var times = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            split = plan();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        table.AddRow(
            count.ToString(CultureInfo.InvariantCulture),
            planner,
            Ms(times[rounds / 2]),
            Ms(times[0]),
            Ms(times[^1]),
            split.CandidatesEvaluated.ToString(CultureInfo.InvariantCulture),
            split.Devices.Count.ToString(CultureInfo.InvariantCulture),
            Ms(split.Prediction.TotalSeconds * 1000) + note(split));
    }

    private static Prediction? Proportional(ModelConfig config, int sequence, PlanningCluster cluster, PlannerOptions options)
    {
        var speeds = cluster.Devices.Select(d => d.Gemm.QueryKeyValue).ToArray();
        var heads = ProportionalSplit.Split(config.Heads, speeds);
        var columns = ProportionalSplit.Split(config.IntermediateSize, speeds);
        var rows = ProportionalSplit.Split(sequence, speeds);
        var plan = new ParallelPlan(ParallelMode.Hybrid, [.. heads.Select((h, d) => new DeviceShare(h, columns[d], rows[d]))]) { Exchange = CollectiveAlgorithm.Direct };
        return CostModel.Predict(config, sequence, cluster, [.. Enumerable.Range(0, cluster.Devices.Count)], plan, options);
    }

    /// <summary>N devices from a fixed seed: speeds 1–20 GFLOP/s, budgets 60–200 % of the model, uplinks 10 Mbit/s – 10 Gbit/s, 0.05–2 ms.</summary>
    private static PlanningCluster SeededCluster(int count, ModelConfig config, int sequence)
    {
        var random = new Random(6);
        var whole = MemoryModel.Estimate(config, ParallelMode.Hybrid, new DeviceShare(config.Heads, config.IntermediateSize, sequence), sequence, new PlannerOptions()).Total;
        var devices = Enumerable.Range(0, count).Select(i =>
        {
            var gflops = Math.Pow(20, random.NextDouble());
            return new DeviceSpec($"dev{i}", GemmRates.All(gflops * 1e9), [new AttentionRate(128, gflops * 0.6e9)], gflops * 1e5, (long)(whole * (0.6 + (1.4 * random.NextDouble()))))
            {
                Uplink = new LinkSpec(Math.Pow(10, 1 + (3 * random.NextDouble())) * 1e6 / 8, (0.05 + (1.95 * random.NextDouble())) / 1000),
            };
        });
        return new PlanningCluster([.. devices]);
    }

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
