using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;
using Galaxy.Kernels.Tests.Model;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class ParallelReportTests
{
    // 1000 bytes/s and 2 ms per message: a message of b bytes takes 2 + b ms.
    private static readonly LinkModel SlowLink = new(1000, TimeSpan.FromMilliseconds(2));

    private static readonly ParallelPlan TwoDevices = new(ParallelMode.Hybrid, [new(2, 40, 3), new(2, 40, 5)]);

    [Fact]
    public void Create_HandMadeRequest_ReportsEachDeviceLayerAndPhase()
    {
        var result = Result(
            [new(0, 10, 30), new(1, 12, 20)],
            [new(0, 14, 29), new(1, 9, 25)]);
        CollectiveTraffic[] traffic =
        [
            Traffic(0, 0, CollectivePhase.AttentionGather, sent: 100, received: 60, messages: 2, waitMs: 4),
            Traffic(0, 0, CollectivePhase.AttentionReduce, sent: 60, received: 100, messages: 1, waitMs: 1),
            Traffic(1, 0, CollectivePhase.AttentionGather, sent: 60, received: 100, messages: 1, waitMs: 0),
            Traffic(1, 1, CollectivePhase.MlpReduce, sent: 300, received: 0, messages: 3, waitMs: 7),
        ];

        var report = ParallelReport.Create(TwoDevices, result, traffic, SlowLink);

        Assert.Equal(4, report.DeviceLayers.Count);
        var first = report.DeviceLayers[0];
        Assert.Equal((0, 0), (first.Device, first.Layer));
        Assert.Equal(160, first.BytesSent);
        Assert.Equal(160, first.BytesReceived);
        Assert.Equal(3, first.MessagesSent);
        Assert.Equal(5, first.ReceiveWaitMilliseconds, precision: 9);
        Assert.Equal(20, first.NonComputeMilliseconds, precision: 9);
        Assert.Equal((3 * 2) + 160, first.ModelledLinkMilliseconds, precision: 9); // 3 messages, 160 bytes at 1 byte/ms
        Assert.Equal([CollectivePhase.AttentionGather, CollectivePhase.AttentionReduce], first.Collectives.Select(c => c.Phase));

        // Layer 0: walls 30 and 29, computes 10 and 14 → W = 30, critical device 1, E = 30 − 14.
        var layer0 = report.Layers[0];
        Assert.Equal((1, 30.0, 14.0, 16.0), (layer0.CriticalDevice, layer0.WallMilliseconds, layer0.ComputeMilliseconds, layer0.ExposedCommunicationMilliseconds));
        Assert.Equal(160, layer0.BytesSentPerDevice);
        Assert.Equal(166, layer0.ModelledLinkMilliseconds, precision: 9);

        // Layer 1: walls 20 and 25, computes 12 and 9 → W = 25, critical device 0, E = 13.
        var layer1 = report.Layers[1];
        Assert.Equal((0, 25.0, 12.0, 13.0), (layer1.CriticalDevice, layer1.WallMilliseconds, layer1.ComputeMilliseconds, layer1.ExposedCommunicationMilliseconds));
        Assert.Equal(300, layer1.BytesSentPerDevice);
        Assert.Equal((3 * 2) + 300, layer1.ModelledLinkMilliseconds, precision: 9);

        Assert.Equal(55, report.WallMilliseconds, precision: 9);
        Assert.Equal(26, report.ComputeMilliseconds, precision: 9);
        Assert.Equal(29, report.ExposedCommunicationMilliseconds, precision: 9);
        Assert.Equal(27.5, report.MeanLayerMilliseconds, precision: 9);
        Assert.Equal(14.5, report.MeanExposedCommunicationMilliseconds, precision: 9);
        Assert.Equal(230, report.MeanBytesSentPerDevice, precision: 9);
        Assert.Equal((166 + 306) / 2.0, report.MeanModelledLinkMilliseconds, precision: 9);

        Assert.Equal([CollectivePhase.AttentionGather, CollectivePhase.AttentionReduce, CollectivePhase.MlpReduce], report.Phases.Select(p => p.Phase));
        var gather = report.Phases[0];
        Assert.Equal((160L, 160L, 3L), (gather.BytesSent, gather.BytesReceived, gather.MessagesSent));
        Assert.Equal(TimeSpan.FromMilliseconds(4), gather.ReceiveWait);
        Assert.Equal((2 + 100) + 2 + 60 + 2, gather.ModelledLinkMilliseconds, precision: 9);
    }

    [Fact]
    public void Create_WithoutLinkModel_ModelledTimesAreZero()
    {
        var result = Result([new(0, 10, 30)], [new(0, 14, 29)]);

        var report = ParallelReport.Create(TwoDevices, result, [Traffic(0, 0, CollectivePhase.MlpGather, 400, 400, 4, 1)]);

        Assert.Equal(0, report.ModelledLinkMilliseconds);
        Assert.All(report.DeviceLayers, d => Assert.Equal(0, d.ModelledLinkMilliseconds));
        Assert.Equal(400, report.Layers[0].BytesSentPerDevice);
    }

    [Theory]
    [InlineData(3, 12, 0.75)]
    [InlineData(12, 12, 0)]
    [InlineData(0, 12, 1)]
    [InlineData(15, 12, -0.25)]
    public void HiddenShare_ExposedWithAndWithoutOverlap_IsOneMinusTheirRatio(double withOverlap, double withoutOverlap, double expected)
    {
        Assert.Equal(expected, ParallelReport.HiddenShare(withOverlap, withoutOverlap)!.Value, precision: 12);
    }

    [Fact]
    public void HiddenShare_NothingExposedWithoutOverlap_IsNull()
    {
        Assert.Null(ParallelReport.HiddenShare(1, 0));
    }

    [Fact]
    public void HiddenShare_AgainstTheSamePlanWithoutOverlap_UsesExposedTotals()
    {
        var overlapped = ParallelReport.Create(TwoDevices, Result([new(0, 10, 13)], [new(0, 10, 12)]), []);
        var plain = ParallelReport.Create(TwoDevices with { Overlap = false }, Result([new(0, 10, 22)], [new(0, 10, 20)]), []);

        Assert.Equal(1 - (3.0 / 12), overlapped.HiddenShare(plain)!.Value, precision: 9);
    }

    [Fact]
    public void HiddenShare_AgainstAnotherPlan_Throws()
    {
        var overlapped = ParallelReport.Create(TwoDevices, Result([new(0, 10, 13)], [new(0, 10, 12)]), []);
        var otherTiles = ParallelReport.Create(TwoDevices with { Overlap = false, TileRows = 4 }, Result([new(0, 10, 22)], [new(0, 10, 20)]), []);
        var stillOverlapped = ParallelReport.Create(TwoDevices, Result([new(0, 10, 22)], [new(0, 10, 20)]), []);
        var otherPrecision = ParallelReport.Create(TwoDevices with { Overlap = false, Precision = LinkPrecision.Int8 }, Result([new(0, 10, 22)], [new(0, 10, 20)]), []);

        Assert.Throws<ArgumentException>(() => overlapped.HiddenShare(otherTiles));
        Assert.Throws<ArgumentException>(() => overlapped.HiddenShare(stillOverlapped));
        Assert.Contains("int8 links", Assert.Throws<ArgumentException>(() => overlapped.HiddenShare(otherPrecision)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TrafficOfAnUnknownDeviceOrLayer_Throws()
    {
        var result = Result([new(0, 10, 30)], [new(0, 14, 29)]);

        var device = Assert.Throws<ArgumentException>(() => ParallelReport.Create(TwoDevices, result, [Traffic(2, 0, CollectivePhase.MlpGather, 1, 1, 1, 0)]));
        var layer = Assert.Throws<ArgumentException>(() => ParallelReport.Create(TwoDevices, result, [Traffic(0, 1, CollectivePhase.MlpGather, 1, 1, 1, 0)]));

        Assert.Contains("device 2, layer 0", device.Message, StringComparison.Ordinal);
        Assert.Contains("device 0, layer 1", layer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DevicesDisagreeOnLayers_Throws()
    {
        var result = Result([new(0, 10, 30), new(1, 10, 30)], [new(0, 14, 29)]);

        Assert.Throws<ArgumentException>(() => ParallelReport.Create(TwoDevices, result, []));
    }

    [Fact]
    public void LinkMilliseconds_Totals_EqualTheSumOfEachMessagesTransmissionTime()
    {
        long[] messages = [100, 250, 0, 7];
        var each = messages.Sum(bytes => SlowLink.TransmissionSeconds(bytes)) * 1000;

        Assert.Equal(each, ParallelReport.LinkMilliseconds(SlowLink, messages.Sum(), messages.Length), precision: 9);
        Assert.Equal(0, ParallelReport.LinkMilliseconds(SlowLink, 0, 0));
    }

    [Fact]
    public async Task Create_TinyHybridRun_CountsTheRingFormulasBytesPerDeviceLayerAndPhase()
    {
        var config = TinyModels.Of(ModelArchitecture.Bert) with { MaxPositions = 400 };
        var plan = new ParallelPlan(ParallelMode.Hybrid, [new(1, 20, 5), new(3, 40, 11), new(0, 20, 9)], Overlap: true, TileRows: 4);
        var link = LinkModel.Parse("1gbit+10us");
        using var cluster = new SimulatedCluster(config, InMemoryTensorSource.Synthetic(config, 1), plan, link);
        var sequence = 25;

        // A first request, then the measured one after a reset: the report sees only the second.
        await cluster.RunAsync(1, TinyModels.Tokens(sequence, 1), cancellationToken: TestContext.Current.CancellationToken);
        cluster.Stats.Reset();
        var result = await cluster.RunAsync(2, TinyModels.Tokens(sequence, 2), cancellationToken: TestContext.Current.CancellationToken);
        var report = ParallelReport.Create(plan, result, cluster.Stats.Snapshot(), link);

        var rows = plan.RowChunks;
        var n = plan.Devices;
        var rowBytes = 4L * config.HiddenSize;
        Assert.Equal(config.Layers * n, report.DeviceLayers.Count);
        foreach (var device in report.DeviceLayers)
        {
            var r = device.Device;
            var gatherSent = (sequence - rows[(r + 1) % n]) * rowBytes;
            var reduceSent = (sequence - rows[r]) * rowBytes;
            var gatherMessages = Enumerable.Range(0, n).Where(j => j != (r + 1) % n).Sum(j => (rows[j] + 3) / 4);
            var reduceMessages = Enumerable.Range(0, n).Where(j => j != r).Sum(j => (rows[j] + 3) / 4);
            Assert.Equal(
                [(CollectivePhase.AttentionGather, gatherSent), (CollectivePhase.AttentionReduce, reduceSent), (CollectivePhase.MlpGather, gatherSent), (CollectivePhase.MlpReduce, reduceSent)],
                device.Collectives.Select(c => (c.Phase, c.BytesSent)));
            Assert.Equal(2 * (gatherMessages + reduceMessages), device.MessagesSent);
            Assert.Equal(ParallelReport.LinkMilliseconds(link, device.BytesSent, device.MessagesSent), device.ModelledLinkMilliseconds, precision: 9);
            Assert.True(device.WallMilliseconds >= device.ComputeMilliseconds, $"device {r} layer {device.Layer}: wall {device.WallMilliseconds} < compute {device.ComputeMilliseconds}");
        }

        foreach (var layer in report.Layers)
        {
            var devices = report.DeviceLayers.Where(d => d.Layer == layer.Layer).ToList();
            Assert.Equal(devices.Max(d => d.WallMilliseconds), layer.WallMilliseconds);
            Assert.Equal(devices.Max(d => d.ComputeMilliseconds), layer.ComputeMilliseconds);
            Assert.Equal(layer.WallMilliseconds - layer.ComputeMilliseconds, layer.ExposedCommunicationMilliseconds, precision: 9);
            Assert.Equal(devices.Max(d => d.BytesSent), layer.BytesSentPerDevice);
            Assert.Equal(devices.Max(d => d.ModelledLinkMilliseconds), layer.ModelledLinkMilliseconds, precision: 9);
        }

        Assert.Equal(report.DeviceLayers.Sum(d => d.BytesSent), report.Phases.Sum(p => p.BytesSent));
        Assert.Equal(report.Phases.Sum(p => p.BytesSent), report.Phases.Sum(p => p.BytesReceived));
    }

    [Fact]
    public async Task Create_TinyMegatronRun_CountsTwoAllReducesPerLayer()
    {
        var config = TinyModels.Of(ModelArchitecture.Gpt2) with { MaxPositions = 400 };
        var sequence = 12;
        var plan = ParallelPlan.Uniform(ParallelMode.MegatronTensor, 2, config, sequence);
        using var cluster = new SimulatedCluster(config, InMemoryTensorSource.Synthetic(config, 1), plan);

        var result = await cluster.RunAsync(1, TinyModels.Tokens(sequence, 3), cancellationToken: TestContext.Current.CancellationToken);
        var report = ParallelReport.Create(plan, result, cluster.Stats.Snapshot());

        // AllReduce = ReduceScatter + AllGather: with two even chunks each device sends and receives 2·(S/2)·H floats per AllReduce.
        var allReduceBytes = 2L * (sequence / 2) * config.HiddenSize * 4;
        Assert.All(report.DeviceLayers, d =>
        {
            Assert.Equal([CollectivePhase.AttentionReduce, CollectivePhase.MlpReduce], d.Collectives.Select(c => c.Phase));
            Assert.All(d.Collectives, c => Assert.Equal((allReduceBytes, allReduceBytes), (c.BytesSent, c.BytesReceived)));
        });
    }

    private static SimulatedResult Result(LayerTiming[] device0, LayerTiming[] device1) =>
        new([], [new ShardResult(0, [], device0), new ShardResult(3, [], device1)]);

    private static CollectiveTraffic Traffic(int rank, int layer, CollectivePhase phase, long sent, long received, long messages, double waitMs) =>
        new(rank, layer, phase, sent, received, messages, messages, TimeSpan.FromMilliseconds(waitMs));
}
