using CsCheck;
using Galaxy.Grains.Planning;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>
/// Properties of the planner over random device sets (CsCheck): 1–16 devices whose speeds span 20×, random memory
/// budgets (some too small for anything, some for everything), random uplinks (10 Mbit/s – 10 Gbit/s, 0.02–5 ms) and
/// random placements: a host of its own or one of three shared hosts of 1–4 CPUs, 1–4 kernel threads, no quota or
/// 0.25–2 cores (so some hosts are oversubscribed and some are not).
/// </summary>
public sealed class PlannerPropertyTests
{
    // 12 layers of BERT-base's shape with a small vocabulary: the layers, not the tables, decide what fits.
    private static readonly ModelConfig Model = ModelPresets.Get("bert-base") with { VocabularySize = 2000 };

    private const int Sequence = 128;

    private static readonly PlannerOptions Options = new();

    private static readonly long WholeModel = MemoryModel.Estimate(Model, ParallelMode.Hybrid, new DeviceShare(Model.Heads, Model.IntermediateSize, Sequence), Sequence, Options).Total;

    /// <summary>A device: speed 1–20 GFLOP/s (log-uniform), attention at 0.3–1× that, budget 5 %–150 % of the whole model, an uplink.</summary>
    private static readonly Gen<DeviceSpec> DeviceGen =
        Gen.Select(Gen.Double[0, 1], Gen.Double[0.3, 1], Gen.Double[0.05, 1.5], Gen.Double[0, 3], Gen.Double[0.02, 5])
            .Select((speed, attention, memory, bandwidth, latency) =>
            {
                var gflops = Math.Pow(20, speed);
                return new DeviceSpec("", GemmRates.All(gflops * 1e9), [new AttentionRate(128, gflops * attention * 1e9)], gflops * 1e5, (long)(memory * WholeModel))
                {
                    Uplink = new LinkSpec(Math.Pow(10, bandwidth + 1) * 1e6 / 8, latency / 1000),
                };
            });

    /// <summary>Where a device runs: host 0 = its own, else "h1"–"h3" with 1–4 CPUs; 1–4 threads; a quota of 0.25–2 cores or none.</summary>
    private static readonly Gen<Func<DeviceSpec, DeviceSpec>> PlacementGen =
        Gen.Select(Gen.Int[0, 3], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Double[0, 2])
            .Select<int, int, int, double, Func<DeviceSpec, DeviceSpec>>((host, cpus, threads, quota) => d => d with
            {
                Host = host == 0 ? null : $"h{host}",
                HostProcessorCount = host == 0 ? null : cpus,
                KernelThreads = threads,
                CpuQuotaCores = quota < 0.25 ? null : quota,
            });

    private static readonly Gen<DeviceSpec> PlacedDeviceGen = Gen.Select(DeviceGen, PlacementGen).Select((device, place) => place(device));

    private static readonly Gen<DeviceSpec[]> DevicesGen = PlacedDeviceGen.Array[1, 16]
        .Select(devices => devices.Select((d, i) => d with { Name = $"d{i}" }).ToArray());

    [Fact]
    public void Plan_RandomDevices_SharesSumAndBudgetsHold()
    {
        DevicesGen.Sample(
            devices =>
            {
                var cluster = new PlanningCluster(devices);
                if (TryPlan(cluster) is not { } split)
                {
                    return;
                }

                split.Plan.Validate(Model, Sequence);
                Assert.Equal(Model.Heads, split.Plan.Shares.Sum(s => s.Heads));
                Assert.Equal(Model.IntermediateSize, split.Plan.Shares.Sum(s => s.MlpColumns));
                Assert.Equal(Sequence, split.Plan.Shares.Sum(s => s.Rows));
                for (var r = 0; r < split.Devices.Count; r++)
                {
                    var budget = devices.Single(d => d.Name == split.Devices[r]).MemoryBudgetBytes;
                    var need = MemoryModel.Estimate(Model, split.Plan.Mode, split.Plan.Shares[r], Sequence, Options).Total;
                    Assert.True(need <= budget, $"{split.Devices[r]} needs {need} bytes, budget {budget}");
                }

                Assert.Equal(devices.Length, split.Devices.Count + split.Excluded.Count);
            },
            iter: 150,
            threads: 1);
    }

    [Fact]
    public void Plan_RandomDevices_NeverSlowerThanTheBestSingleDeviceOrTheUniformSplit()
    {
        DevicesGen.Sample(
            devices =>
            {
                var cluster = new PlanningCluster(devices);
                var split = TryPlan(cluster);
                var all = Enumerable.Range(0, devices.Length).ToArray();
                for (var i = 0; i < devices.Length; i++)
                {
                    var alone = CostModel.Predict(Model, Sequence, cluster, [i], ParallelPlan.Local(Model, Sequence), Options);
                    if (alone.Fits)
                    {
                        Assert.NotNull(split);
                        Assert.True(split.Prediction.TotalSeconds <= alone.TotalSeconds * (1 + 1e-9), $"plan {split.Prediction.TotalSeconds} s, {devices[i].Name} alone {alone.TotalSeconds} s");
                    }
                }

                foreach (var exchange in new[] { CollectiveAlgorithm.Ring, CollectiveAlgorithm.Direct })
                {
                    var uniform = ParallelPlan.Uniform(ParallelMode.Hybrid, devices.Length, Model, Sequence) with { Exchange = exchange };
                    var even = CostModel.Predict(Model, Sequence, cluster, all, uniform, Options);
                    if (even.Fits)
                    {
                        Assert.NotNull(split);
                        Assert.True(split.Prediction.TotalSeconds <= even.TotalSeconds * (1 + 1e-9), $"plan {split.Prediction.TotalSeconds} s, uniform {exchange} {even.TotalSeconds} s");
                    }
                }
            },
            iter: 150,
            threads: 1);
    }

    /// <summary>
    /// By construction, for 1–15 devices plus one (so up to 16): the plan for D ∪ {x}, with the plan for D's devices as
    /// a candidate (what the coordinator and <c>galaxy plan --what-if</c> pass), is never predicted slower than the
    /// plan for D — not even by a rounding error, since the subset is planned the same in both clusters. The new device
    /// goes anywhere in the order (the others keep theirs) and may share a host with them.
    /// </summary>
    [Fact]
    public void Plan_AddingADeviceWithTheSmallerPlanAsCandidate_NeverPredictedSlower()
    {
        var upToFifteen = PlacedDeviceGen.Array[1, 15].Select(devices => devices.Select((d, i) => d with { Name = $"d{i}" }).ToArray());
        Gen.Select(upToFifteen, PlacedDeviceGen, Gen.Int[0, 15]).Sample(
            (devices, extra, position) =>
            {
                var before = TryPlan(new PlanningCluster(devices));
                if (before is null)
                {
                    return;
                }

                var after = TryPlan(new PlanningCluster(Insert(devices, extra with { Name = "extra" }, position)), [before.Devices]);

                Assert.NotNull(after);
                Assert.True(
                    after.Prediction.TotalSeconds <= before.Prediction.TotalSeconds,
                    $"{devices.Length} devices: {before.Prediction.TotalSeconds * 1000:R} ms on {string.Join(",", before.Devices)}; with one more {after.Prediction.TotalSeconds * 1000:R} ms on {string.Join(",", after.Devices)}");
            },
            iter: 150,
            threads: 1);
    }

    /// <summary>
    /// What the guarantee rests on: a plan's prediction depends only on its own devices and the links between them.
    /// The plan for D, predicted again in a cluster with more devices around it (some on D's hosts, reporting other
    /// CPU counts), gives exactly the same seconds.
    /// </summary>
    [Fact]
    public void Predict_SamePlanAmongMoreDevices_ExactlyTheSame()
    {
        var upToEight = PlacedDeviceGen.Array[1, 8].Select(devices => devices.Select((d, i) => d with { Name = $"d{i}" }).ToArray());
        Gen.Select(upToEight, PlacedDeviceGen.Array[1, 4]).Sample(
            (devices, extras) =>
            {
                if (TryPlan(new PlanningCluster(devices)) is not { } before)
                {
                    return;
                }

                var bigger = new PlanningCluster([.. extras.Select((d, i) => d with { Name = $"x{i}" }), .. devices]);
                var again = CostModel.Predict(Model, Sequence, bigger, [.. before.Devices.Select(bigger.IndexOf)], before.Plan, Options);

                Assert.Equal(before.Prediction.TotalSeconds, again.TotalSeconds);
            },
            iter: 150,
            threads: 1);
    }

    /// <summary>
    /// Without the candidate, exact only where the planner searches every subset (up to
    /// <see cref="PlannerOptions.ExhaustiveSubsetLimit"/> = 8 devices, so 1–7 devices plus one): the plan for D ∪ {x}
    /// considered every subset of D.
    /// </summary>
    [Fact]
    public void Plan_AddingADeviceWithoutACandidate_NeverPredictedSlowerUpToEightDevices()
    {
        var upToSeven = PlacedDeviceGen.Array[1, 7].Select(devices => devices.Select((d, i) => d with { Name = $"d{i}" }).ToArray());
        Gen.Select(upToSeven, PlacedDeviceGen).Sample(
            (devices, extra) =>
            {
                var before = TryPlan(new PlanningCluster(devices));
                var after = TryPlan(new PlanningCluster([.. devices, extra with { Name = "extra" }]));
                if (before is null)
                {
                    return;
                }

                Assert.NotNull(after);
                Assert.True(
                    after.Prediction.TotalSeconds <= before.Prediction.TotalSeconds * (1 + 1e-9),
                    $"{devices.Length} devices: {before.Prediction.TotalSeconds * 1000:F3} ms on {string.Join(",", before.Devices)}; with one more {after.Prediction.TotalSeconds * 1000:F3} ms on {string.Join(",", after.Devices)}");
            },
            iter: 150,
            threads: 1);
    }

    /// <summary>
    /// Above 8 devices (9–15 plus one) the subset search alone is a heuristic: this counts how often the larger set's
    /// plan is predicted slower without the candidate (written to the test output; docs/planner.md quotes it) and
    /// asserts that with the candidate it never is, on the same sets.
    /// </summary>
    [Fact]
    public void Plan_AddingADeviceAboveEight_WorseOnlyWithoutTheCandidate()
    {
        var nineToFifteen = PlacedDeviceGen.Array[9, 15].Select(devices => devices.Select((d, i) => d with { Name = $"d{i}" }).ToArray());
        var (sets, worse, worst) = (0, 0, 1.0);
        Gen.Select(nineToFifteen, PlacedDeviceGen).Sample(
            (devices, extra) =>
            {
                if (TryPlan(new PlanningCluster(devices)) is not { } before)
                {
                    return;
                }

                var larger = new PlanningCluster([.. devices, extra with { Name = "extra" }]);
                var without = TryPlan(larger);
                var with = TryPlan(larger, [before.Devices]);
                Assert.NotNull(without);
                Assert.NotNull(with);
                Assert.True(with.Prediction.TotalSeconds <= before.Prediction.TotalSeconds);
                Assert.True(with.Prediction.TotalSeconds <= without.Prediction.TotalSeconds);
                sets++;
                if (without.Prediction.TotalSeconds > before.Prediction.TotalSeconds * (1 + 1e-9))
                {
                    worse++;
                    worst = Math.Max(worst, without.Prediction.TotalSeconds / before.Prediction.TotalSeconds);
                }
            },
            iter: 150,
            threads: 1);

        TestContext.Current.TestOutputHelper?.WriteLine($"without the candidate: {worse} of {sets} sets predicted slower after adding a device (worst ×{worst:F3})");
        Assert.True(sets > 0);
    }

    private static DeviceSpec[] Insert(DeviceSpec[] devices, DeviceSpec extra, int position)
    {
        var at = Math.Min(position, devices.Length);
        return [.. devices[..at], extra, .. devices[at..]];
    }

    private static PlannedSplit? TryPlan(PlanningCluster cluster, IReadOnlyList<IReadOnlyList<string>>? alsoConsider = null)
    {
        try
        {
            return HeterogeneousPlanner.Plan(Model, Sequence, cluster, Options, alsoConsider);
        }
        catch (PlanDoesNotFitException)
        {
            // Then no single device nor the uniform split fits either: the other properties check that.
            return null;
        }
    }
}
