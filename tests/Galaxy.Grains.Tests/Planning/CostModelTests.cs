using Galaxy.Grains.Planning;
using Galaxy.Kernels.Parallel;
using static Galaxy.Grains.Tests.Planning.PlanningFixtures;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>The cost model against latencies worked out by hand (tolerance 1e-9 relative: the arithmetic is exact in doubles up to rounding).</summary>
public sealed class CostModelTests
{
    [Fact]
    public void Predict_OneDevice_SumOfBlockFlopsOverRates()
    {
        var cluster = new PlanningCluster([Device("a", 1)]);

        var prediction = CostModel.Predict(Toy, 32, cluster, [0], ParallelPlan.Local(Toy, 32), Bare);

        // Per layer at S = 32, 1 GFLOP/s: QKV 2·32·64·192 = 786,432 FLOP; attention 4·32²·64 = 262,144; out 2·32·64·64 = 262,144;
        // up and down 2·32·64·256 = 1,048,576 each: 3,407,872 FLOP = 3.407872 ms, + 2 connectives of 32 rows at 10⁶ rows/s = 0.064 ms.
        // Two layers + the embedding's LayerNorm on 32 rows (0.032 ms): 6.975744 ms.
        Assert.Equal(6.975744e-3, prediction.TotalSeconds, 1e-12);
        Assert.Equal(3.471872e-3, prediction.LayerSeconds, 1e-12);
        Assert.Equal(0, prediction.Devices[0].CommunicationSeconds);
    }

    [Theory]
    [InlineData(CollectiveAlgorithm.Ring)]
    [InlineData(CollectiveAlgorithm.Direct)]
    public void Predict_TwoEqualDevices_EachCollectiveIsFirstTilePlusMaxOfTileAndMessage(CollectiveAlgorithm exchange)
    {
        // 4096-byte chunks (16 rows × 64 × 4 B) in 0.1 ms, + 0.05 ms latency: a message costs 0.15 ms.
        var link = new LinkSpec(4096 / 1e-4, 0.05e-3);
        var cluster = new PlanningCluster([Device("a", 1), Device("b", 1)], [KeyValuePair.Create(("a", "b"), link), KeyValuePair.Create(("b", "a"), link)]);
        var plan = new ParallelPlan(ParallelMode.Hybrid, [new DeviceShare(2, 128, 16), new DeviceShare(2, 128, 16)]) { Exchange = exchange };

        var prediction = CostModel.Predict(Toy, 32, cluster, [0, 1], plan, Bare);

        // Per device (2 heads, 128 columns) a half-sequence tile costs: QKV 0.196608 ms, attention + out 0.131072 ms,
        // up 0.262144 ms, down 0.262144 ms. N = 2: each collective is tile + max(tile, 0.15 ms) (DESIGN.md §4):
        // 0.393216 + 0.281072 + 0.524288 + 0.524288 = 1.722864 ms, + 2 connectives of 16 rows (0.032 ms) = 1.754864 ms per layer.
        Assert.Equal(1.754864e-3, prediction.LayerSeconds, 1e-12);
        Assert.Equal((2 * 1.754864e-3) + 0.016e-3, prediction.TotalSeconds, 1e-12);

        // Each device sends one chunk per collective: 4 per layer, 8 in all, 0.15 ms each.
        Assert.All(prediction.Devices, d => Assert.Equal(8 * 0.15e-3, d.CommunicationSeconds, 1e-12));
    }

    [Fact]
    public void Predict_RingOfFourEqualDevices_MatchesTheDesignFormula()
    {
        // DESIGN.md §4: T ≈ T_gemm/N + (N−1)·max(T_gemm/N, α + s·H·b/B) per ring collective with even chunks.
        var link = new LinkSpec(1e6, 1e-3);
        var devices = Enumerable.Range(0, 4).Select(i => Device($"d{i}", 1)).ToArray();
        var links = from a in devices from b in devices where a != b select KeyValuePair.Create((a.Name, b.Name), link);
        var cluster = new PlanningCluster(devices, links);
        var plan = ParallelPlan.Uniform(ParallelMode.Hybrid, 4, Toy, 32) with { Exchange = CollectiveAlgorithm.Ring };

        var prediction = CostModel.Predict(Toy, 32, cluster, [0, 1, 2, 3], plan, Bare);

        // One head and 64 columns per device; 8-row chunks of 8·64·4 = 2048 B: message 1 ms + 2.048 ms = 3.048 ms ≫ any tile.
        double[] gemm = [2.0 * 32 * 64 * 48 / 1e9, ((4.0 * 32 * 32 * 16) + (2.0 * 32 * 16 * 64)) / 1e9, 2.0 * 32 * 64 * 64 / 1e9, 2.0 * 32 * 64 * 64 / 1e9];
        var message = 1e-3 + (2048 / 1e6);
        var layer = gemm.Sum(t => (t / 4) + (3 * Math.Max(t / 4, message))) + (2 * 8 / 1e6);
        Assert.Equal(layer, prediction.LayerSeconds, 1e-12);
    }

    [Fact]
    public void Predict_DirectExchangeOnLatencyBoundLinks_FasterThanRing()
    {
        var link = new LinkSpec(1e9, 2e-3);
        var devices = Enumerable.Range(0, 4).Select(i => Device($"d{i}", 10)).ToArray();
        var cluster = new PlanningCluster(devices, from a in devices from b in devices where a != b select KeyValuePair.Create((a.Name, b.Name), link));
        var plan = ParallelPlan.Uniform(ParallelMode.Hybrid, 4, Toy, 32);

        var ring = CostModel.Predict(Toy, 32, cluster, [0, 1, 2, 3], plan with { Exchange = CollectiveAlgorithm.Ring }, Bare);
        var direct = CostModel.Predict(Toy, 32, cluster, [0, 1, 2, 3], plan with { Exchange = CollectiveAlgorithm.Direct }, Bare);

        // Latency bound: the ring pays 3 sequential 2 ms hops per collective, the direct exchange about one.
        Assert.True(direct.LayerSeconds < ring.LayerSeconds / 2, $"direct {direct.LayerSeconds * 1000:F2} ms, ring {ring.LayerSeconds * 1000:F2} ms");
    }

    [Fact]
    public void Predict_WithoutOverlap_NeverFasterThanWithOverlap()
    {
        var cluster = new PlanningCluster([Device("a", 1), Device("b", 2), Device("c", 0.5)], defaultLink: Link(100, 0.2));
        var plan = new ParallelPlan(ParallelMode.Hybrid, [new DeviceShare(1, 64, 10), new DeviceShare(2, 160, 14), new DeviceShare(1, 32, 8)]);

        var on = CostModel.Predict(Toy, 32, cluster, [0, 1, 2], plan, Bare);
        var off = CostModel.Predict(Toy, 32, cluster, [0, 1, 2], plan with { Overlap = false }, Bare);

        Assert.True(off.TotalSeconds > on.TotalSeconds, $"without overlap {off.TotalSeconds * 1000:F3} ms, with {on.TotalSeconds * 1000:F3} ms");
        Assert.Equal(on.Devices.Select(d => d.ComputeSeconds), off.Devices.Select(d => d.ComputeSeconds));
    }

    [Fact]
    public void Predict_BytesPerElement_ScalesTheLinkTime()
    {
        var cluster = new PlanningCluster([Device("a", 1), Device("b", 1)], defaultLink: new LinkSpec(1e6, 0));
        var plan = ParallelPlan.Uniform(ParallelMode.Hybrid, 2, Toy, 32);

        var fp32 = CostModel.Predict(Toy, 32, cluster, [0, 1], plan, Bare);
        var bf16 = CostModel.Predict(Toy, 32, cluster, [0, 1], plan, Bare with { BytesPerElement = 2 });

        Assert.Equal(fp32.Devices[0].CommunicationSeconds / 2, bf16.Devices[0].CommunicationSeconds, 1e-12);
    }

    [Fact]
    public void Predict_PlanForOtherDevices_ClearError()
    {
        var cluster = new PlanningCluster([Device("a", 1), Device("b", 1)]);

        var error = Assert.Throws<ArgumentException>(() => CostModel.Predict(Toy, 32, cluster, [0], ParallelPlan.Uniform(ParallelMode.Hybrid, 2, Toy, 32), Bare));

        Assert.Contains("2 shares for 1 devices", error.Message, StringComparison.Ordinal);
    }
}
