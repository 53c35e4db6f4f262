using CsCheck;
using Galaxy.Grains.Planning;
using static Galaxy.Grains.Tests.Planning.PlanningFixtures;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>The coordinator's plan cache and its calibration from measured runs.</summary>
public sealed class CoordinatorPlansTests
{
    private static readonly DateTimeOffset Measured = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DeviceProfile Profile(string device, double gflops, long memory = 8L << 30) => new(
        device,
        $"silo-{device}",
        2,
        1,
        memory,
        Measured,
        1000,
        [
            new ModelThroughput(
                "minilm",
                6,
                [
                    new GemmThroughput(GemmBlocks.QueryKeyValue, 128, 384, 1152, gflops * 1e9),
                    new GemmThroughput(GemmBlocks.Output, 128, 384, 384, gflops * 1e9),
                    new GemmThroughput(GemmBlocks.MlpUp, 128, 384, 1536, gflops * 1e9),
                    new GemmThroughput(GemmBlocks.MlpDown, 128, 1536, 384, gflops * 1e9),
                ],
                [new AttentionThroughput(128, 12, 32, gflops * 1e9)]) { ConnectiveRowsPerSecond = gflops * 1e5 },
        ]);

    /// <summary>Records a run of <paramref name="split"/> on devices a and b, each computing <c>slower</c>× its prediction, the request <paramref name="wallSlower"/>× its prediction.</summary>
    private static bool RecordRun(CoordinatorPlans plans, PlannedSplit split, double slowerA, double slowerB, double wallSlower) => plans.Record(
        split,
        [("a", split.Prediction.Devices[0].ComputeSeconds * 1000 * slowerA), ("b", split.Prediction.Devices[1].ComputeSeconds * 1000 * slowerB)],
        split.Prediction.TotalSeconds * 1000 * wallSlower);

    /// <summary>Plans on devices a and b, profiled equally (a clock the test moves), and the first request's plan at 128 tokens.</summary>
    private static (CoordinatorPlans Plans, DeviceProfile[] Profiles, PlannedSplit First) TwoEqualDevices(Func<DateTimeOffset> clock)
    {
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions { SelectDevices = false }, clock);
        DeviceProfile[] profiles = [Profile("a", 20), Profile("b", 20)];
        return (plans, profiles, plans.PlanRequest(["a", "b"], profiles, [], 128));
    }

    /// <summary>
    /// <see cref="TwoEqualDevices"/> whose coordinator recorded one run as predicted and is a refresh interval past it,
    /// so the next drifting runs may refresh.
    /// </summary>
    private static (CoordinatorPlans Plans, PlannedSplit First) TwoEqualDevicesPastTheFirstInterval()
    {
        var now = Measured;
        var (plans, _, first) = TwoEqualDevices(() => now);
        Assert.False(RecordRun(plans, first, slowerA: 1, slowerB: 1, wallSlower: 1));
        now += CoordinatorPlans.RefreshInterval;
        return (plans, first);
    }

    [Fact]
    public void Record_ThreeRunsOffByMoreThanAQuarter_RefreshesFromTheMeasurements()
    {
        var now = Measured;
        var (plans, profiles, first) = TwoEqualDevices(() => now);

        // Device a computes three times slower than profiled, b as profiled; the request takes twice the prediction.
        bool Run() => RecordRun(plans, first, slowerA: 3, slowerB: 1, wallSlower: 2);

        Assert.False(Run());
        now += CoordinatorPlans.RefreshInterval;
        Assert.False(Run());
        Assert.True(Run());

        Assert.Equal(1, plans.Refreshes);
        Assert.Equal(1.0 / 3, plans.SpeedFactors["a"], 9);
        Assert.Equal(1.0, plans.SpeedFactors["b"], 9);
        var second = plans.PlanRequest(["a", "b"], profiles, [], 128);
        Assert.True(second.Plan.Shares[0].Heads < first.Plan.Shares[0].Heads, "the slowed device should get fewer heads");

        // Within the refresh interval, drift does not refresh again.
        Assert.False(Run());
        Assert.False(Run());
        Assert.False(Run());
        now += CoordinatorPlans.RefreshInterval;
        Assert.True(Run());
    }

    [Fact]
    public void Record_TheFirstRunsDrift_NoRefreshUntilAnIntervalAfterTheFirstRun()
    {
        var now = Measured;
        var (plans, _, first) = TwoEqualDevices(() => now);

        // A new coordinator's first runs: ten times slower (tier-0 code, slices loading), then warm and as profiled.
        for (var run = 0; run < 2 * CoordinatorPlans.DriftRuns; run++)
        {
            Assert.False(RecordRun(plans, first, slowerA: 10, slowerB: 10, wallSlower: 10));
            now += TimeSpan.FromSeconds(1);
        }

        Assert.False(RecordRun(plans, first, slowerA: 1, slowerB: 1, wallSlower: 1));
        now = Measured + CoordinatorPlans.RefreshInterval;
        Assert.False(RecordRun(plans, first, slowerA: 1, slowerB: 1, wallSlower: 1));
        Assert.Equal(0, plans.Refreshes);
        Assert.Empty(plans.SpeedFactors);

        // Runs that do drift after the interval still refresh.
        Assert.False(RecordRun(plans, first, slowerA: 2, slowerB: 1, wallSlower: 2));
        Assert.False(RecordRun(plans, first, slowerA: 2, slowerB: 1, wallSlower: 2));
        Assert.True(RecordRun(plans, first, slowerA: 2, slowerB: 1, wallSlower: 2));
        Assert.Equal(0.5, plans.SpeedFactors["a"], 9);
    }

    [Fact]
    public void Record_RunsFasterThanPredicted_DriftToo()
    {
        var now = Measured;
        var (plans, _, first) = TwoEqualDevices(() => now);

        // Both devices compute twice as fast as profiled (the profile was measured while the machine was busy).
        bool Run(double slower, double wallSlower) => RecordRun(plans, first, slower, slower, wallSlower);

        // 1.2× faster is within the 25 % (either way): no drift.
        Assert.False(Run(1 / 1.2, 1 / 1.2));
        now += CoordinatorPlans.RefreshInterval;
        Assert.False(Run(1 / 1.2, 1 / 1.2));
        Assert.False(Run(1 / 1.2, 1 / 1.2));
        Assert.Equal(0, plans.Refreshes);

        Assert.False(Run(0.5, 0.5));
        Assert.False(Run(0.5, 0.5));
        Assert.True(Run(0.5, 0.5));
        Assert.Equal(2.0, plans.SpeedFactors["a"], 9);
        Assert.Equal(2.0, plans.SpeedFactors["b"], 9);
    }

    [Fact]
    public void Record_ARunWithinTheTolerance_StartsTheCalibrationAgain()
    {
        var (plans, first) = TwoEqualDevicesPastTheFirstInterval();
        bool Run(double slower) => RecordRun(plans, first, slower, slowerB: 1, wallSlower: slower);

        // Two runs 3× slower (a busy moment), one as predicted, then three 2× slower: the refresh reflects the last three.
        Assert.False(Run(3));
        Assert.False(Run(3));
        Assert.False(Run(1));
        Assert.False(Run(2));
        Assert.False(Run(2));
        Assert.True(Run(2));
        Assert.Equal(0.5, plans.SpeedFactors["a"], 9);
        Assert.Equal(1.0, plans.SpeedFactors["b"], 9);
    }

    [Fact]
    public void Record_ARunOffTheOtherWay_StartsTheCalibrationAgain()
    {
        var (plans, first) = TwoEqualDevicesPastTheFirstInterval();
        bool Run(double slower) => RecordRun(plans, first, slower, slowerB: slower, wallSlower: slower);

        // Two runs 4× slower, then three twice as fast: the streak of fast runs alone calibrates.
        Assert.False(Run(4));
        Assert.False(Run(4));
        Assert.False(Run(0.5));
        Assert.False(Run(0.5));
        Assert.True(Run(0.5));
        Assert.Equal(2.0, plans.SpeedFactors["a"], 9);
        Assert.Equal(2.0, plans.SpeedFactors["b"], 9);
    }

    [Fact]
    public void Record_AnOutlierInTheStreak_TheMedianCalibrates()
    {
        var now = Measured;
        var (plans, _, first) = TwoEqualDevices(() => now);
        bool Run(double slowerA) => RecordRun(plans, first, slowerA, slowerB: 1, wallSlower: 2);

        // Within the first interval, device a is 2× slower in every run but two, which it spends 50× slower (pauses):
        // a mean would calibrate it 2.06× slower, the median 2×.
        Assert.False(Run(2));
        Assert.False(Run(50));
        for (var run = 0; run < CoordinatorPlans.CalibrationRuns; run++)
        {
            Assert.False(Run(run == 5 ? 50 : 2));
        }

        now += CoordinatorPlans.RefreshInterval;
        Assert.True(Run(2));
        Assert.Equal(0.5, plans.SpeedFactors["a"], 9);
        Assert.Equal(1.0, plans.SpeedFactors["b"], 9);
    }

    [Fact]
    public void Record_DriftTheComputeDoesNotExplain_KeepsThePlanAndAsksForTheLinks()
    {
        var now = Measured;
        var (plans, profiles, first) = TwoEqualDevices(() => now);

        // The request takes twice the prediction, but each device computes within 5 % of its prediction.
        bool Run(double slower) => RecordRun(plans, first, slower, 1 / slower, wallSlower: 2);

        Assert.False(Run(1.05));
        now += CoordinatorPlans.RefreshInterval;
        Assert.False(Run(1.05));
        Assert.True(Run(1.05));
        Assert.Equal(0, plans.Refreshes);
        Assert.Empty(plans.SpeedFactors);
        var reference = plans.Reference;
        plans.PlanRequest(["a", "b"], profiles, [], 128);
        Assert.Same(reference, plans.Reference);

        // A device 20 % slower than calibrated does re-plan.
        now += CoordinatorPlans.RefreshInterval;
        Assert.False(Run(1.2));
        Assert.False(Run(1.2));
        Assert.True(Run(1.2));
        Assert.Equal(1, plans.Refreshes);
        Assert.Equal(1 / 1.2, plans.SpeedFactors["a"], 9);
        Assert.Equal(1.2, plans.SpeedFactors["b"], 9);
    }

    [Fact]
    public void PlanRequest_SameInputs_SameHeadsAndColumnsWhateverTheLength()
    {
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions { SelectDevices = false });
        DeviceProfile[] profiles = [Profile("a", 10), Profile("b", 30)];

        var short1 = plans.PlanRequest(["a", "b"], profiles, [], 9);
        var long1 = plans.PlanRequest(["a", "b"], profiles, [], 300);

        Assert.Equal(short1.Plan.Shares.Select(s => (s.Heads, s.MlpColumns)), long1.Plan.Shares.Select(s => (s.Heads, s.MlpColumns)));
        Assert.Equal(300, long1.Plan.Shares.Sum(s => s.Rows));
        Assert.Equal([3, 9], long1.Plan.Shares.Select(s => s.Heads));
    }

    [Fact]
    public void PlanRequest_SameInputsAndLength_TheSamePlanWithoutPlanningAgain()
    {
        var now = Measured;
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions { SelectDevices = false }, () => now);
        DeviceProfile[] profiles = [Profile("a", 10), Profile("b", 30)];

        var first = plans.PlanRequest(["a", "b"], profiles, [], 128);
        var other = plans.PlanRequest(["a", "b"], profiles, [], 64);

        Assert.Same(first, plans.PlanRequest(["a", "b"], profiles, [], 128));
        Assert.Same(other, plans.PlanRequest(["a", "b"], profiles, [], 64));
        Assert.Equal(64, other.Plan.Shares.Sum(s => s.Rows));

        // New profiles (measured later) make the plan again.
        DeviceProfile[] remeasured = [Profile("a", 30) with { MeasuredAt = Measured.AddMinutes(1) }, Profile("b", 30) with { MeasuredAt = Measured.AddMinutes(1) }];
        var again = plans.PlanRequest(["a", "b"], remeasured, [], 128);
        Assert.NotSame(first, again);
        Assert.Equal([6, 6], again.Plan.Shares.Select(s => s.Heads));

        // So does a refresh that re-plans: device a three times slower than profiled (an interval after the first run).
        for (var run = 0; run < CoordinatorPlans.DriftRuns; run++)
        {
            RecordRun(plans, again, slowerA: 3, slowerB: 1, wallSlower: 2);
            now += CoordinatorPlans.RefreshInterval;
        }

        Assert.Equal(1, plans.Refreshes);
        var refreshed = plans.PlanRequest(["a", "b"], remeasured, [], 128);
        Assert.NotSame(again, refreshed);
        Assert.True(refreshed.Plan.Shares[0].Heads < again.Plan.Shares[0].Heads, "the slowed device should get fewer heads");
    }

    [Fact]
    public void PlanRequest_DeviceWithoutAProfile_CountsAsTheMeanOfTheOthers()
    {
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions { SelectDevices = false });

        var split = plans.PlanRequest(["a", "new", "b"], [Profile("a", 10), Profile("b", 30)], [], 64);

        Assert.Equal([2, 4, 6], split.Plan.Shares.Select(s => s.Heads));
    }

    /// <summary>
    /// A device joins a live cluster of 1–15 (so up to 16 devices, past the planner's exhaustive limit of 8): the
    /// reference plan made again is never predicted slower than the one before, since the coordinator offers the
    /// previous devices as a candidate. Random speeds (1–40 GFLOP/s), budgets (too small for the model to 2 GiB) and
    /// measured links (10 Mbit/s – 10 Gbit/s per device, 0.05–5 ms), the newcomer anywhere in the name order.
    /// </summary>
    [Fact]
    public void PlanRequest_ADeviceJoins_ReferencePlanNeverPredictedSlower()
    {
        var device = Gen.Select(Gen.Double[0, 1], Gen.Long[300L << 20, 2L << 30], Gen.Double[1, 4], Gen.Double[0.05, 5]);
        Gen.Select(device.Array[1, 15], device, Gen.Int[0, 15]).Sample(
            (devices, joining, position) =>
            {
                var names = Enumerable.Range(0, devices.Length).Select(i => $"d{i:D2}").ToList();
                var newcomer = $"d{Math.Min(position, devices.Length):D2}+";
                var all = devices.Append(joining).ToArray();
                var allNames = names.Append(newcomer).ToArray();
                var profiles = all.Select((d, i) => Profile(allNames[i], Math.Pow(40, d.Item1), d.Item2)).ToArray();
                var links = (from a in Enumerable.Range(0, all.Length)
                             from b in Enumerable.Range(0, all.Length)
                             where a != b
                             select new LinkProfile(
                                 allNames[a],
                                 allNames[b],
                                 all[a].Item4 + all[b].Item4,
                                 Math.Pow(10, Math.Min(all[a].Item3, all[b].Item3)) * 1e6 / 8,
                                 65536,
                                 Measured)).ToArray();
                var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions());
                try
                {
                    plans.PlanRequest(names, profiles, [.. links.Where(l => l.From != newcomer && l.To != newcomer)], 128);
                }
                catch (PlanDoesNotFitException)
                {
                    return;
                }

                var before = plans.Reference!;
                var joined = names.Append(newcomer).Order(StringComparer.Ordinal).ToArray();
                plans.PlanRequest(joined, profiles, links, 128);
                var after = plans.Reference!;

                Assert.True(
                    after.Prediction.TotalSeconds <= before.Prediction.TotalSeconds,
                    $"{devices.Length} devices: {before.Prediction.TotalSeconds * 1000:R} ms on {string.Join(",", before.Devices)}; after {newcomer} joined {after.Prediction.TotalSeconds * 1000:R} ms on {string.Join(",", after.Devices)}");
            },
            iter: 60,
            threads: 1);
    }

    /// <summary>
    /// A seeded set where the heuristic subset search (exhaustive limit 1) alone answers worse after a device joins:
    /// the coordinator keeps the previous devices' plan instead, exactly.
    /// </summary>
    [Fact]
    public void PlanRequest_ADeviceJoinsWhereTheSearchAloneIsWorse_KeepsThePreviousDevices()
    {
        (string Name, double Gflops, double Mbit, double Milliseconds)[] devices =
            [("d0", 8.8, 2694, 2.62), ("d1", 10.5, 4580, 2.46), ("d2", 13.5, 68, 2.45), ("d3", 2.3, 60, 2.68), ("d4", 10.2, 34, 1.42)];
        var profiles = devices.Select(d => Profile(d.Name, d.Gflops)).ToArray();
        var links = (from a in devices
                     from b in devices
                     where a.Name != b.Name
                     select new LinkProfile(a.Name, b.Name, a.Milliseconds + b.Milliseconds, Math.Min(a.Mbit, b.Mbit) * 1e6 / 8, 65536, Measured)).ToArray();
        var options = new PlannerOptions { ExhaustiveSubsetLimit = 1 };
        var plans = new CoordinatorPlans("minilm", MiniLm, options);
        string[] four = ["d0", "d1", "d2", "d3"];
        string[] five = [.. four, "d4"];
        plans.PlanRequest(four, profiles, [.. links.Where(l => l.From != "d4" && l.To != "d4")], 128);
        var before = plans.Reference!;

        plans.PlanRequest(five, profiles, links, 128);
        var after = plans.Reference!;

        var alone = HeterogeneousPlanner.Plan(MiniLm, plans.ReferenceLength, ProfileAdapter.ToCluster(five, profiles, links, "minilm", MiniLm), options);
        Assert.True(alone.Prediction.TotalSeconds > before.Prediction.TotalSeconds, $"the search alone: {alone.Prediction.TotalSeconds} s on {string.Join(",", alone.Devices)} vs {before.Prediction.TotalSeconds} s");
        Assert.True(after.Prediction.TotalSeconds <= before.Prediction.TotalSeconds, $"{after.Prediction.TotalSeconds} s on {string.Join(",", after.Devices)} vs {before.Prediction.TotalSeconds} s");
        Assert.Equal(before.Devices, after.Devices);
    }

    [Fact]
    public void PlanRequest_ADeviceOfThePlanLeaves_PlansOnTheOthers()
    {
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions());
        DeviceProfile[] profiles = [Profile("a", 10), Profile("b", 30), Profile("c", 20)];
        plans.PlanRequest(["a", "b", "c"], profiles, [], 128);
        Assert.Contains("b", plans.Reference!.Devices);

        var split = plans.PlanRequest(["a", "c"], profiles, [], 128);

        Assert.DoesNotContain("b", split.Devices);
        Assert.DoesNotContain("b", plans.Reference!.Devices);
    }
}
