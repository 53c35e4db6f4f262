using Galaxy.Grains.Planning;
using Galaxy.Kernels.Parallel;
using static Galaxy.Grains.Tests.Planning.PlanningFixtures;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>
/// Where devices run, against costs worked out by hand (tolerance 1e-12 s: exact in doubles up to rounding): devices
/// sharing a host's cores slow each other, quotas within the host do not, and messages cost CPU on both ends.
/// </summary>
public sealed class HostContentionTests
{
    // 4096-byte chunks (16 rows × 64 × 4 B) in 0.1 ms, + 0.05 ms latency: a message costs 0.15 ms on the link.
    private static readonly LinkSpec Tile = new(4096 / 1e-4, 0.05e-3);

    private static readonly LinkSpec Instant = new(1e15, 0);

    // Per message on each end: 4 µs + 4096 B · 1.5 ns/B = 10.144 µs.
    private const double PerMessage = 4e-6;
    private const double PerByte = 1.5e-9;
    private const double Message = 10.144e-6;

    private static readonly ParallelPlan Even = new(ParallelMode.Hybrid, [new DeviceShare(2, 128, 16), new DeviceShare(2, 128, 16)]);

    private static PlanningCluster Pair(DeviceSpec a, DeviceSpec b, LinkSpec link) =>
        new([a, b], [KeyValuePair.Create((a.Name, b.Name), link), KeyValuePair.Create((b.Name, a.Name), link)]);

    private static DeviceSpec OnHost(string name, string host, int processors, int threads, double? quota = null) =>
        Device(name, 1) with { Host = host, HostProcessorCount = processors, KernelThreads = threads, CpuQuotaCores = quota };

    [Fact]
    public void Predict_TwoOneThreadDevicesOnOneCpu_SplitNoFasterThanOneDeviceAlone()
    {
        var cluster = Pair(OnHost("a", "h", 1, 1), OnHost("b", "h", 1, 1), Instant);
        var alone = CostModel.Predict(Toy, 32, cluster, [0], ParallelPlan.Local(Toy, 32), Bare);

        var split = CostModel.Predict(Toy, 32, cluster, [0, 1], Even, Bare);

        // Alone: 6.975744 ms (CostModelTests). Each half (2 heads, 128 columns, 16 rows) is 1.735936 ms of arithmetic per
        // layer and 0.016 ms of embedding LayerNorm; two devices ask 2 cores of 1, so σ = 2: 2 · (2 · 1.735936 + 0.016) ms
        // = 6.975744 ms each — exactly the device alone; even with instant links the split cannot beat it.
        Assert.Equal(6.975744e-3, alone.TotalSeconds, 1e-12);
        Assert.All(split.Devices, d => Assert.Equal(2, d.Slowdown));
        Assert.All(split.Devices, d => Assert.Equal(6.975744e-3, d.ComputeSeconds, 1e-12));
        Assert.True(split.TotalSeconds >= alone.TotalSeconds * (1 - 1e-12), $"split {split.TotalSeconds} s, alone {alone.TotalSeconds} s");
    }

    [Fact]
    public void Plan_TwoOneThreadDevicesOnOneCpu_KeepsOneAndSaysWhy()
    {
        var cluster = Pair(OnHost("a", "h", 1, 1), OnHost("b", "h", 1, 1), Tile);
        var apart = Pair(Device("a", 1), Device("b", 1), Tile);

        var shared = HeterogeneousPlanner.Plan(Toy, 32, cluster, Bare);
        var separate = HeterogeneousPlanner.Plan(Toy, 32, apart, Bare);

        Assert.Equal(2, separate.Devices.Count);
        Assert.Single(shared.Devices);
        var reason = Assert.Single(shared.Excluded).Reason;
        Assert.Contains("shares host h's 1 CPU with", reason, StringComparison.Ordinal);
        Assert.Contains("ask 2 cores, so each would compute 2× slower", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_QuotasWithinTheHost_NoSlowdown()
    {
        var apart = CostModel.Predict(Toy, 32, Pair(Device("a", 1), Device("b", 1), Tile), [0, 1], Even, Bare);
        var within = CostModel.Predict(Toy, 32, Pair(OnHost("a", "h", 1, 1, 0.5), OnHost("b", "h", 1, 1, 0.5), Tile), [0, 1], Even, Bare);
        var over = CostModel.Predict(Toy, 32, Pair(OnHost("a", "h", 1, 1, 0.6), OnHost("b", "h", 1, 1, 0.6), Tile), [0, 1], Even, Bare);

        // 0.5 + 0.5 cores of 1: the profiles already ran under the quotas, nothing changes (CostModelTests' 1.754864 ms).
        Assert.Equal(1.754864e-3, within.LayerSeconds, 1e-12);
        Assert.Equal(apart.TotalSeconds, within.TotalSeconds, 1e-12);
        Assert.All(within.Devices, d => Assert.Equal(1, d.Slowdown));

        // 0.6 + 0.6 cores of 1: σ = 1.2 on each.
        Assert.All(over.Devices, d => Assert.Equal(1.2, d.Slowdown, 1e-12));
        Assert.Equal(apart.Devices[0].ComputeSeconds * 1.2, over.Devices[0].ComputeSeconds, 1e-12);
    }

    [Fact]
    public void Predict_MoreThreadsThanTheHostHas_DemandIsCappedAtItsCpus()
    {
        // A 4-thread device alone on a 2-CPU host was profiled that way: no slowdown. With a 1-thread device beside it: (2 + 1) / 2.
        var cluster = Pair(OnHost("a", "h", 2, 4), OnHost("b", "h", 2, 1), Instant);

        Assert.Equal([1.0], CostModel.Slowdowns(cluster, [0]));
        Assert.Equal([1.5, 1.5], CostModel.Slowdowns(cluster, [0, 1]));
    }

    [Fact]
    public void Slowdowns_DeviceWithAnEmptyShare_IsIdleAndAsksForNoCores()
    {
        var cluster = new PlanningCluster([OnHost("a", "h", 1, 1), OnHost("b", "h", 1, 1), OnHost("c", "h", 1, 1)]);
        DeviceShare[] shares = [new(2, 128, 16), new(0, 0, 0), new(2, 128, 16)];

        Assert.Equal([2.0, 1.0, 2.0], CostModel.Slowdowns(cluster, [0, 1, 2], shares));
    }

    [Fact]
    public void Slowdowns_DeviceOutsideThePlanReportsMoreCpus_SameSlowdowns()
    {
        // a and b share a 1-CPU host: (1 + 1) / 1. A device c that is not in the plan reports 4 CPUs for that host; the
        // plan's prediction must not depend on it, or adding c to the cluster would change a plan that does not use it.
        var cluster = new PlanningCluster([OnHost("a", "h", 1, 1), OnHost("b", "h", 1, 1), OnHost("c", "h", 4, 1)]);

        Assert.Equal([2.0, 2.0], CostModel.Slowdowns(cluster, [0, 1]));
        Assert.Equal(1, cluster.HostProcessorCount(0, [0, 1]));
        Assert.Equal(4, cluster.HostProcessorCount(0, [0, 1, 2]));
    }

    [Fact]
    public void Slowdowns_HostWithoutACpuCount_NoContention()
    {
        var cluster = Pair(Device("a", 1) with { Host = "h", KernelThreads = 4 }, Device("b", 1) with { Host = "h", KernelThreads = 4 }, Instant);

        Assert.Equal([1.0, 1.0], CostModel.Slowdowns(cluster, [0, 1]));
    }

    [Theory]
    [InlineData(CollectiveAlgorithm.Ring)]
    [InlineData(CollectiveAlgorithm.Direct)]
    public void Predict_MessageCpu_EachCollectiveAddsOneSendAndOneReceive(CollectiveAlgorithm exchange)
    {
        var options = Bare with { MessageCpuSeconds = PerMessage, MessageCpuSecondsPerByte = PerByte };
        var plan = Even with { Exchange = exchange };

        var prediction = CostModel.Predict(Toy, 32, Pair(Device("a", 1), Device("b", 1), Tile), [0, 1], plan, options);

        // N = 2: in each collective a device serialises one 4096-byte chunk before it leaves (m = 10.144 µs) and
        // deserialises the one it receives before using it (m). E.g. the AllGather before QKV (tile T = 0.196608 ms >
        // 0.15 ms on the link): send leaves at m, lands at m + 0.15; the device's own tile ends at m + T, the received
        // tile starts at max(m + T, m + 0.15) + m and ends at 2T + 2m. Every collective: its time without messaging + 2m.
        Assert.Equal(1.754864e-3 + (8 * Message), prediction.LayerSeconds, 1e-12);
        Assert.Equal((2 * (1.754864e-3 + (8 * Message))) + 0.016e-3, prediction.TotalSeconds, 1e-12);

        // 2 layers × 4 collectives × (1 sent + 1 received).
        Assert.All(prediction.Devices, d => Assert.Equal(16 * Message, d.MessagingSeconds, 1e-12));
    }

    [Fact]
    public void Predict_HalfCoreQuota_PaysTwiceTheMessageCpu()
    {
        var options = Bare with { MessageCpuSeconds = PerMessage, MessageCpuSecondsPerByte = PerByte };
        DeviceSpec Half(string name) => Device(name, 1) with { CpuQuotaCores = 0.5 };
        DeviceSpec Two(string name) => Device(name, 1) with { CpuQuotaCores = 2 };

        var half = CostModel.Predict(Toy, 32, Pair(Half("a"), Half("b"), Tile), [0, 1], Even, options);
        var two = CostModel.Predict(Toy, 32, Pair(Two("a"), Two("b"), Tile), [0, 1], Even, options);

        // Half a core: every message costs 2m. Its rates were measured under the quota, so compute is unchanged.
        Assert.Equal(1.754864e-3 + (8 * 2 * Message), half.LayerSeconds, 1e-12);
        Assert.All(half.Devices, d => Assert.Equal(32 * Message, d.MessagingSeconds, 1e-12));

        // Two cores: a message is handled by one thread at a time, so no cheaper than on one core.
        Assert.All(two.Devices, d => Assert.Equal(16 * Message, d.MessagingSeconds, 1e-12));
    }

    [Fact]
    public void Predict_ContendedHost_MessageCpuSlowedLikeCompute()
    {
        var options = Bare with { MessageCpuSeconds = PerMessage, MessageCpuSecondsPerByte = PerByte };

        var prediction = CostModel.Predict(Toy, 32, Pair(OnHost("a", "h", 1, 1), OnHost("b", "h", 1, 1), Tile), [0, 1], Even, options);

        Assert.All(prediction.Devices, d => Assert.Equal(2 * 16 * Message, d.MessagingSeconds, 1e-12));
    }

    [Fact]
    public void Options_NegativeMessageCpu_ClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => new PlannerOptions { MessageCpuSecondsPerByte = -1 }.Validate());

        Assert.Contains("per message byte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_BadQuota_ClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => new PlanningCluster([Device("a", 1) with { CpuQuotaCores = 0 }]));

        Assert.Contains("CPU quota", error.Message, StringComparison.Ordinal);
    }
}
