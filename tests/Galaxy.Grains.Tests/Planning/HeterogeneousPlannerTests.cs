using Galaxy.Grains.Planning;
using Galaxy.Kernels.Parallel;
using static Galaxy.Grains.Tests.Planning.PlanningFixtures;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>The planner on cases whose answer is known by hand.</summary>
public sealed class HeterogeneousPlannerTests
{
    private static readonly LinkSpec Lan = Link(10_000, 0.01);

    [Fact]
    public void Plan_TwoDevicesOneToThreeSpeed_OneToThreeShares()
    {
        var cluster = new PlanningCluster([Device("slow", 10), Device("fast", 30)], defaultLink: Lan);

        var split = HeterogeneousPlanner.Plan(MiniLm, 128, cluster);

        Assert.Equal(["slow", "fast"], split.Devices);
        Assert.Equal([3, 9], split.Plan.Shares.Select(s => s.Heads));
        Assert.Equal([384, 1152], split.Plan.Shares.Select(s => s.MlpColumns));
        Assert.Equal(128, split.Plan.Shares.Sum(s => s.Rows));
        Assert.Empty(split.Excluded);
    }

    [Fact]
    public void Plan_ColumnGranularity_EveryShareAMultipleButTheRemainder()
    {
        var cluster = new PlanningCluster([Device("a", 10), Device("b", 17), Device("c", 23)], defaultLink: Lan);

        var split = HeterogeneousPlanner.Plan(MiniLm, 128, cluster, new PlannerOptions { ColumnGranularity = 64 });

        Assert.Equal(1536, split.Plan.Shares.Sum(s => s.MlpColumns));
        Assert.All(split.Plan.Shares, s => Assert.Equal(0, s.MlpColumns % 64));
    }

    [Fact]
    public void Plan_TinyMemoryOnTheFastDevice_CappedAtItsBudget()
    {
        // The fast device would take 3/4 of the model by speed; its budget holds its fixed part and about a fifth of the layers.
        var layers = MemoryModel.LayerBytes(MiniLm, MiniLm.Heads, MiniLm.IntermediateSize) * MiniLm.Layers;
        var fixedPart = MemoryModel.Estimate(MiniLm, ParallelMode.Hybrid, new DeviceShare(0, 0, 128), 128, Bare).Total;
        var budget = fixedPart + (layers / 5);
        var cluster = new PlanningCluster([Device("roomy", 10), Device("cramped", 30, budget)], defaultLink: Lan);

        var split = HeterogeneousPlanner.Plan(MiniLm, 128, cluster, Bare);

        var cramped = split.Prediction.Devices.Single(d => d.Device == "cramped");
        Assert.True(cramped.Memory.Total <= budget, $"{cramped.Memory.Total} bytes on a budget of {budget}");
        Assert.True(cramped.Memory.Total > fixedPart + (layers / 10), "the cramped device should still take what fits");
        Assert.True(cramped.Share.MlpColumns < 1536 / 4, $"{cramped.Share.MlpColumns} columns: more than its memory allows by far");
        Assert.Equal(12, split.Plan.Shares.Sum(s => s.Heads));
        Assert.Equal(1536, split.Plan.Shares.Sum(s => s.MlpColumns));
    }

    [Fact]
    public void Plan_FastDeviceBehindASlowLink_LeftOutWithTheReason()
    {
        var fastLan = Link(10_000, 0.01);
        var cluster = new PlanningCluster(
            [Device("a", 10, uplink: fastLan), Device("b", 10, uplink: fastLan), Device("far", 15, uplink: Link(1, 20))]);

        var split = HeterogeneousPlanner.Plan(MiniLm, 128, cluster);

        Assert.Equal(["a", "b"], split.Devices);
        var excluded = Assert.Single(split.Excluded);
        Assert.Equal("far", excluded.Device);
        Assert.Contains("slower with it", excluded.Reason, StringComparison.Ordinal);
        Assert.Contains("1 Mbit/s", excluded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ModelFitsNoSingleDevice_SplitAcrossDevicesThatHoldItTogether()
    {
        // Every device keeps the tables (46 MiB for MiniLM) and room for 60 % of the layers: two or three together hold it.
        var fixedPart = MemoryModel.Estimate(MiniLm, ParallelMode.Hybrid, new DeviceShare(0, 0, 128), 128, Bare).Total;
        var whole = MemoryModel.Estimate(MiniLm, ParallelMode.Hybrid, new DeviceShare(12, 1536, 128), 128, Bare).Total;
        var budget = fixedPart + ((whole - fixedPart) * 6 / 10);
        var cluster = new PlanningCluster([Device("a", 10, budget), Device("b", 10, budget), Device("c", 10, budget)], defaultLink: Lan);

        var split = HeterogeneousPlanner.Plan(MiniLm, 128, cluster, Bare);

        Assert.True(split.Devices.Count >= 2);
        Assert.All(split.Prediction.Devices, d => Assert.True(d.Fits, $"{d.Device}: {d.Memory.Total} > {d.MemoryBudgetBytes}"));
        Assert.Throws<PlanDoesNotFitException>(() => HeterogeneousPlanner.Plan(MiniLm, 128, cluster, Bare with { Strategy = PlanStrategy.Local }));
    }

    [Fact]
    public void Plan_ModelFitsNoSubset_ErrorStatesNeededAndAvailable()
    {
        var cluster = new PlanningCluster([Device("a", 10, 40L << 20), Device("b", 10, 40L << 20)]);

        var error = Assert.Throws<PlanDoesNotFitException>(() => HeterogeneousPlanner.Plan(MiniLm, 128, cluster));

        Assert.Contains("does not fit", error.Message, StringComparison.Ordinal);
        Assert.Contains("a 40.0 MiB", error.Message, StringComparison.Ordinal);
        Assert.True(error.NeededBytes > error.AvailableBytes);
        Assert.Equal(80L << 20, error.AvailableBytes);
    }

    [Fact]
    public void Plan_DeviceTooSmallForTheTables_LeftOutForMemory()
    {
        var cluster = new PlanningCluster([Device("a", 10), Device("b", 10), Device("watch", 50, 1 << 20)], defaultLink: Lan);

        var split = HeterogeneousPlanner.Plan(MiniLm, 128, cluster);

        var excluded = Assert.Single(split.Excluded);
        Assert.Equal("watch", excluded.Device);
        Assert.StartsWith("memory:", excluded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SlowDeviceThatAddsNothing_NeverSlowerThanTheBestAlone()
    {
        var cluster = new PlanningCluster([Device("big", 100), Device("tiny", 1)], defaultLink: Link(100, 1));

        var split = HeterogeneousPlanner.Plan(MiniLm, 128, cluster);
        var alone = HeterogeneousPlanner.Plan(MiniLm, 128, cluster, new PlannerOptions { Strategy = PlanStrategy.Local });

        Assert.Equal(["big"], split.Devices);
        Assert.Equal(alone.Prediction.TotalSeconds, split.Prediction.TotalSeconds, 1e-12);
    }

    [Fact]
    public void Plan_Baselines_TheirOwnModesAndSplits()
    {
        var cluster = new PlanningCluster([Device("a", 10), Device("b", 20), Device("c", 30)], defaultLink: Lan);

        var local = HeterogeneousPlanner.Plan(MiniLm, 96, cluster, new PlannerOptions { Strategy = PlanStrategy.Local });
        var megatron = HeterogeneousPlanner.Plan(MiniLm, 96, cluster, new PlannerOptions { Strategy = PlanStrategy.UniformMegatron });
        var planned = HeterogeneousPlanner.Plan(MiniLm, 96, cluster, new PlannerOptions { Strategy = PlanStrategy.PlannedMegatron });
        var sequence = HeterogeneousPlanner.Plan(MiniLm, 96, cluster, new PlannerOptions { Strategy = PlanStrategy.Sequence });
        var uniform = HeterogeneousPlanner.Plan(MiniLm, 96, cluster, new PlannerOptions { Strategy = PlanStrategy.UniformHybrid });

        Assert.Equal(["c"], local.Devices);
        Assert.Equal(ParallelMode.MegatronTensor, megatron.Plan.Mode);
        Assert.Equal([4, 4, 4], megatron.Plan.Shares.Select(s => s.Heads));
        Assert.Equal(ParallelMode.MegatronTensor, planned.Plan.Mode);
        Assert.Equal([2, 4, 6], planned.Plan.Shares.Select(s => s.Heads));
        Assert.Equal(ParallelMode.Sequence, sequence.Plan.Mode);
        Assert.Equal([16, 32, 48], sequence.Plan.Shares.Select(s => s.Rows));
        Assert.Equal(ParallelMode.Hybrid, uniform.Plan.Mode);
        Assert.Equal([512, 512, 512], uniform.Plan.Shares.Select(s => s.MlpColumns));
        Assert.All([local, megatron, planned, sequence, uniform], s => s.Plan.Validate(MiniLm, 96));
    }

    [Fact]
    public void ForSequence_AnotherLength_SameHeadsAndColumnsRowsSumToIt()
    {
        var cluster = new PlanningCluster([Device("a", 10), Device("b", 25)], defaultLink: Lan);
        var reference = HeterogeneousPlanner.Plan(MiniLm, 128, cluster);

        var request = HeterogeneousPlanner.ForSequence(reference, MiniLm, 13, cluster);

        Assert.Equal(reference.Devices, request.Devices);
        Assert.Equal(reference.Plan.Shares.Select(s => (s.Heads, s.MlpColumns)), request.Plan.Shares.Select(s => (s.Heads, s.MlpColumns)));
        Assert.Equal(13, request.Plan.Shares.Sum(s => s.Rows));
        Assert.Equal(13, request.SequenceLength);
        Assert.True(request.Prediction.TotalSeconds < reference.Prediction.TotalSeconds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(513)]
    public void Plan_SequenceOutsideThePositions_ClearError(int length)
    {
        var cluster = new PlanningCluster([Device("a", 10)]);

        var error = Assert.Throws<ArgumentException>(() => HeterogeneousPlanner.Plan(MiniLm, length, cluster));

        Assert.Contains("1 … 512", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BadOptions_ClearErrors()
    {
        var cluster = new PlanningCluster([Device("a", 10)]);

        Assert.Contains("granularity", Assert.Throws<ArgumentException>(() => HeterogeneousPlanner.Plan(MiniLm, 8, cluster, new PlannerOptions { ColumnGranularity = 0 })).Message, StringComparison.Ordinal);
        Assert.Contains("Bytes per element", Assert.Throws<ArgumentException>(() => HeterogeneousPlanner.Plan(MiniLm, 8, cluster, new PlannerOptions { BytesPerElement = double.NaN })).Message, StringComparison.Ordinal);
        Assert.Contains("overhead", Assert.Throws<ArgumentException>(() => HeterogeneousPlanner.Plan(MiniLm, 8, cluster, new PlannerOptions { RuntimeOverheadBytes = -1 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AlsoConsiderASlowerSubset_KeepsTheSearchsChoice()
    {
        var cluster = new PlanningCluster([Device("slow", 10), Device("fast", 30)], defaultLink: Lan);

        var plain = HeterogeneousPlanner.Plan(MiniLm, 128, cluster);
        var hinted = HeterogeneousPlanner.Plan(MiniLm, 128, cluster, alsoConsider: [["slow"]]);

        Assert.Equal(["slow", "fast"], hinted.Devices);
        Assert.Equal(plain.Prediction.TotalSeconds, hinted.Prediction.TotalSeconds);
    }

    /// <summary>
    /// Four devices and a fifth joining (found by a seeded search), with the exhaustive limit at 1 so the heuristic
    /// subset search plans even these few: on its own it answers 212.6 ms on d2 alone for the five, worse than its
    /// 208.3 ms on d0 + d1 for the four (it never reaches {d0, d1} from the five's speed order). With the four's devices
    /// as a candidate it keeps them.
    /// </summary>
    [Fact]
    public void Plan_ADeviceJoinsTheHeuristicSearch_WorseAloneNotWithThePreviousDevices()
    {
        DeviceSpec[] four =
        [
            Device("d0", 8.8, uplink: Link(2694, 2.62)),
            Device("d1", 10.5, uplink: Link(4580, 2.46)),
            Device("d2", 13.5, uplink: Link(68, 2.45)),
            Device("d3", 2.3, uplink: Link(60, 2.68)),
        ];
        var five = new PlanningCluster([.. four, Device("d4", 10.2, uplink: Link(34, 1.42))]);
        var options = new PlannerOptions { ExhaustiveSubsetLimit = 1 };
        var before = HeterogeneousPlanner.Plan(MiniLm, 128, new PlanningCluster(four), options);

        var alone = HeterogeneousPlanner.Plan(MiniLm, 128, five, options);
        var withPrevious = HeterogeneousPlanner.Plan(MiniLm, 128, five, options, [before.Devices]);

        Assert.Equal(["d0", "d1"], before.Devices);
        Assert.True(alone.Prediction.TotalSeconds > before.Prediction.TotalSeconds, $"the search alone: {alone.Prediction.TotalSeconds} s on {string.Join(",", alone.Devices)}");
        Assert.Equal(before.Prediction.TotalSeconds, withPrevious.Prediction.TotalSeconds);
        Assert.Equal(["d0", "d1"], withPrevious.Devices);
        Assert.Equal(before.Plan.Shares, withPrevious.Plan.Shares);
    }

    [Fact]
    public void Plan_AlsoConsider_UnknownNamesIgnoredNullsRejectedAndEveryDeviceKeptWhenNotSelecting()
    {
        var cluster = new PlanningCluster([Device("slow", 1), Device("fast", 30)], defaultLink: Link(10, 5));

        var onlyUnknown = HeterogeneousPlanner.Plan(MiniLm, 128, cluster, alsoConsider: [["nowhere"], []]);
        var everyDevice = HeterogeneousPlanner.Plan(MiniLm, 128, cluster, new PlannerOptions { SelectDevices = false }, [["fast"]]);

        Assert.Equal(HeterogeneousPlanner.Plan(MiniLm, 128, cluster).Devices, onlyUnknown.Devices);
        Assert.Equal(["slow", "fast"], everyDevice.Devices);
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => HeterogeneousPlanner.Plan(MiniLm, 128, cluster, alsoConsider: [null!])).Message, StringComparison.Ordinal);
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => HeterogeneousPlanner.Plan(MiniLm, 128, cluster, alsoConsider: [["fast", null!]])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanningCluster_BadDevices_ClearErrors()
    {
        Assert.Contains("at least one device", Assert.Throws<ArgumentException>(() => new PlanningCluster([])).Message, StringComparison.Ordinal);
        Assert.Contains("listed 2 times", Assert.Throws<ArgumentException>(() => new PlanningCluster([Device("a", 1), Device("a", 2)])).Message, StringComparison.Ordinal);
        Assert.Contains("GEMM rates", Assert.Throws<ArgumentException>(() => new PlanningCluster([Device("a", 0)])).Message, StringComparison.Ordinal);
        Assert.Contains("Unknown device 'z'", Assert.Throws<ArgumentException>(() => new PlanningCluster([Device("a", 1)]).Only(["z"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AttentionFlopsPerSecond_InterpolatesInLogLength()
    {
        var device = Device("a", 1) with { Attention = [new AttentionRate(32, 10), new AttentionRate(512, 50)] };

        Assert.Equal(10, device.AttentionFlopsPerSecond(8));
        Assert.Equal(30, device.AttentionFlopsPerSecond(128), 9);
        Assert.Equal(50, device.AttentionFlopsPerSecond(1024));
    }
}
