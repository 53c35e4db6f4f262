using Galaxy.Grains.Planning;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>
/// The planner on a live 3-silo cluster whose devices have 2, 1 and 1 kernel threads on this machine's cores: shares
/// follow the speeds the devices measured, the host's cores limit how many devices pay, and every result reports the
/// prediction beside the measured latency, which is within the issue's 30 % of it (<see cref="SteadyState.MeasureAsync"/>:
/// after the JIT is done, in a window other processes left quiet, and the coordinator's prediction unchanged, for its
/// refresh interval).
/// </summary>
[Collection(PlannerClusterCollectionDefinition.Name)]
public sealed class PlannerClusterTests(PlannerClusterFixture fixture)
{
    private const int Tokens = 256;

    private IInferenceGrain Wide => fixture.Client.GetGrain<IInferenceGrain>(PlannerClusterFixture.ModelId);

    /// <summary>
    /// The coordinator's own choice (<see cref="IInferenceGrain.InferAsync(int[])"/>, devices chosen by the planner): shares
    /// follow the measured speeds, and the host's cores count. The three silos run in this one process, so their
    /// profiles carry the same host; their 2 + 1 + 1 kernel threads ask for 4 cores. Where the host has fewer, the cost
    /// model slows every device of a plan that uses all three by Σ demand / CPUs, which makes all three slower than the
    /// best of {dev1} and {dev2, dev3} (their speed together is at most the larger of the two), so the plan keeps fewer.
    /// </summary>
    [Fact]
    public async Task Infer_UnequalThreadsOnOneHost_SharesFollowTheSpeedsAndTheHostsCores()
    {
        var profiles = await fixture.Client.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key).GetProfilesAsync();
        var config = PlannerClusterFixture.Config;
        // Heads are sized to a device's attention-block rates (QKV, attention, out-projection), MLP columns to its MLP rates.
        var specs = profiles.ToDictionary(p => p.Device, p => ProfileAdapter.ToSpec(p.Device, p, PlannerClusterFixture.ModelId, config)!);
        double PerHead(string device)
        {
            var spec = specs[device];
            double s = HeterogeneousPlannerReference, h = config.HiddenSize, d = config.HeadDim;
            return (2 * s * h * 3 * d / spec.Gemm.QueryKeyValue) + (4 * s * s * d / spec.AttentionFlopsPerSecond((int)s)) + (2 * s * d * h / spec.Gemm.Output);
        }

        double PerColumn(string device) => (2.0 * config.HiddenSize / specs[device].Gemm.MlpUp) + (2.0 * config.HiddenSize / specs[device].Gemm.MlpDown);

        var result = await Wide.InferAsync(DeepSyntheticModel.TokenIds(Tokens, seed: 5));

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, result.Devices.Select(d =>
            $"{d.Device}: {1 / PerHead(d.Device):F0} heads/s, {1 / PerColumn(d.Device) / 1e3:F0} k columns/s (profiled); {d.Share.Heads} heads, {d.Share.MlpColumns} columns, {d.Share.Rows} rows")));
        Assert.Equal(config.Heads, result.Devices.Sum(d => d.Share.Heads));
        Assert.Equal(config.IntermediateSize, result.Devices.Sum(d => d.Share.MlpColumns));
        Assert.Equal(Tokens, result.Devices.Sum(d => d.Share.Rows));

        Assert.All(profiles, p => Assert.Equal(profiles[0].Host, p.Host));
        if (profiles[0].HostProcessorCount < PlannerClusterFixture.Threads.Sum())
        {
            Assert.True(result.Devices.Count < 3, $"all three devices used on a host of {profiles[0].HostProcessorCount} CPUs");
        }

        // Whenever one device measured faster than another at a block, it holds at least as much of it (within one head, one column unit).
        // The first request's plan follows the profiles; later ones may follow the calibration from measured runs.
        foreach (var a in result.Devices)
        {
            foreach (var b in result.Devices.Where(b => b != a))
            {
                if (PerHead(a.Device) < PerHead(b.Device))
                {
                    Assert.True(a.Share.Heads >= b.Share.Heads - 1, $"{a.Device} (faster at attention) has {a.Share.Heads} heads, {b.Device} {b.Share.Heads}");
                }

                if (PerColumn(a.Device) < PerColumn(b.Device))
                {
                    Assert.True(a.Share.MlpColumns >= b.Share.MlpColumns - 8, $"{a.Device} (faster at the MLP) has {a.Share.MlpColumns} columns, {b.Device} {b.Share.MlpColumns}");
                }
            }
        }

        // Then the coordinator's own plan, predicted beside measured (medians of a window of nine requests). Only here,
        // after the shares were checked: these runs may drift and calibrate the coordinator's speeds, and no other test
        // uses this coordinator's own plans (the others name a device count, which has a coordinator state of its own).
        string[] text = [string.Join(' ', Enumerable.Repeat("the planner chooses the devices that pay for their messages", 24))];
        var window = await SteadyState.MeasureAsync(async () => (await Wide.EmbedAsync(text)).Texts[0], t => t.PredictedMilliseconds, 9, Settle, Patience);
        var runs = window.Runs;
        var error = Report($"coordinator's own plan on {string.Join("+", runs[^1].Devices.Select(d => d.Device))}", window);

        Assert.All(runs, r => Assert.True(double.IsFinite(r.PredictedMilliseconds) && r.PredictedMilliseconds > 0));
        Assert.True(Math.Abs(error) <= Tolerance, $"the coordinator's own plan was predicted {error:P1} off the measured median (others used {window.OthersCores:F2} cores)");
    }

    // The issue's bound on the predicted latency, relative to the measured median.
    private const double Tolerance = 0.30;

    // The quiet, and the unchanged prediction, a window needs behind it: the coordinator's refresh interval (it calibrates
    // at most that often) and 2 s.
    private static readonly TimeSpan Settle = CoordinatorPlans.RefreshInterval + TimeSpan.FromSeconds(2);

    // How long a test waits for such a window while other processes (other test assemblies) use the cores.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    // The coordinator plans heads and columns at this length (CoordinatorPlans.ReferenceLength).
    private const double HeterogeneousPlannerReference = 128;

    /// <summary>
    /// Every result carries the planner's prediction beside the measurement, per device and per request, and on all three
    /// devices (σ = 4 threads / 2 CPUs = 2 on each) the median prediction is within 30 % of the measured median. The
    /// test writes both, every request's per-device compute, and each device's host placement and slowdown, to its
    /// output. The 2-thread device computes up to ~2× longer than fair sharing predicts (its GEMMs fork and join across
    /// two threads, and each waits for the one that was descheduled); the coordinator's drift refresh calibrates that
    /// from the measured compute before the measured window (no sooner than 10 s after its first run). Measured the way a
    /// prediction is meant (after the JIT is done, in a quiet window: <see cref="SteadyState.MeasureAsync"/>), the error
    /// is a property of the model, not of the machine's load; before that, tier-0 code, background recompilation and
    /// other test assemblies made it −38 … −69 %.
    /// </summary>
    [Fact]
    public async Task Infer_SeveralRequests_ReportPredictedBesideMeasured()
    {
        // EmbedOnAsync with a device count plans on exactly those devices with a coordinator state of its own, so the
        // calibration these runs cause does not change the plan the other test checks against the profiles.
        string[] text = [string.Join(' ', Enumerable.Repeat("the planner predicts each request before it runs", 28))];
        var window = await SteadyState.MeasureAsync(async () => (await Wide.EmbedOnAsync(text, 3)).Texts[0], t => t.PredictedMilliseconds, 9, Settle, Patience);
        var runs = window.Runs;

        var profiles = await fixture.Client.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key).GetProfilesAsync();
        var devices = profiles.Select(p => p.Device).Order(StringComparer.Ordinal).ToArray();
        var cluster = ProfileAdapter.ToCluster(devices, profiles, [], PlannerClusterFixture.ModelId, PlannerClusterFixture.Config);
        var slowdowns = CostModel.Slowdowns(cluster, [.. Enumerable.Range(0, devices.Length)]);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, profiles.OrderBy(p => p.Device, StringComparer.Ordinal).Select((p, i) =>
            $"{p.Device}: host {p.Host}, {p.HostProcessorCount} CPUs, quota {p.CpuQuotaCores?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, {p.KernelThreads} kernel threads; slowed {slowdowns[i]:F2}× with all three")));
        var error = Report("all three devices", window);
        Assert.All(runs, r =>
        {
            Assert.True(double.IsFinite(r.PredictedMilliseconds) && r.PredictedMilliseconds > 0);
            Assert.Equal(3, r.Devices.Count);
            Assert.All(r.Devices, d => Assert.Equal(r.PredictedMilliseconds, d.PredictedWallMilliseconds));
            Assert.All(r.Devices, d => Assert.True(d.PredictedComputeMilliseconds > 0 && d.PredictedComputeMilliseconds <= r.PredictedMilliseconds));
        });
        Assert.True(Math.Abs(error) <= Tolerance, $"the plan on all three devices was predicted {error:P1} off the measured median (others used {window.OthersCores:F2} cores)");
    }

    /// <summary>Writes the window's medians and every request, predicted beside measured; returns predicted / measured − 1 of the medians.</summary>
    private static double Report(string plan, QuietWindow<TextTiming> window)
    {
        var runs = window.Runs;
        var measured = Median(runs.Select(r => r.WallMilliseconds));
        var predicted = Median(runs.Select(r => r.PredictedMilliseconds));
        var error = (predicted / measured) - 1;
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine(
            $"{plan}, {runs[0].Tokens} tokens, after {window.WarmUps} warm-ups, window {window.Windows} (others used {window.OthersCores:F2} cores): median measured {measured:F1} ms, median predicted {predicted:F1} ms, error {error:P1}");
        foreach (var run in runs)
        {
            output?.WriteLine(
                $"  {run.WallMilliseconds:F1} ms measured, {run.PredictedMilliseconds:F1} predicted; " + string.Join(", ", run.Devices.Select(d => $"{d.Device} compute {d.ComputeMilliseconds:F1}/{d.PredictedComputeMilliseconds:F1}")));
        }

        return error;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
