using System.Diagnostics;
using System.Runtime.InteropServices;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class InProcessCollectiveTests
{
    private static readonly TileKey Key = new(RequestId: 42, Layer: 1, CollectivePhase.MlpGather, Step: 0, Tile: 0);

    private static CancellationToken TestCancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Receive_TilesArriveInAnotherOrder_EachMatchesItsKey()
    {
        await using var group = InProcessCollective.Create(2);
        var waitingFirst = new byte[8];
        var pending = group.Ranks[1].ReceiveAsync(0, Key.At(0, 9), waitingFirst, TestCancellation);

        for (var tile = 0; tile < 10; tile++)
        {
            await group.Ranks[0].SendAsync(1, Key.At(0, tile), Bytes(tile, -tile), TestCancellation);
        }

        for (var tile = 8; tile >= 0; tile--)
        {
            var received = new byte[8];
            await group.Ranks[1].ReceiveAsync(0, Key.At(0, tile), received, TestCancellation);
            Assert.Equal([tile, -tile], Floats(received));
        }

        await pending;
        Assert.Equal([9f, -9f], Floats(waitingFirst));
    }

    [Fact]
    public async Task Send_BufferReusedAtOnce_ReceiverGetsTheOriginal()
    {
        await using var group = InProcessCollective.Create(3);
        var buffer = Bytes(1, 2, 3);
        await group.Ranks[2].SendAsync(0, Key, buffer, TestCancellation);
        buffer.AsSpan().Fill(0xFF);

        var received = new byte[12];
        await group.Ranks[0].ReceiveAsync(2, Key, received, TestCancellation);
        Assert.Equal([1f, 2f, 3f], Floats(received));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Receive_TileOfAnotherLength_ThrowsInvalidDataNamingKeyAndLengths(bool receiveFirst)
    {
        await using var group = InProcessCollective.Create(2);
        var destination = new byte[4];
        ValueTask receive = default;
        if (receiveFirst)
        {
            receive = group.Ranks[1].ReceiveAsync(0, Key, destination, TestCancellation);
        }

        await group.Ranks[0].SendAsync(1, Key, new byte[5], TestCancellation);
        if (!receiveFirst)
        {
            receive = group.Ranks[1].ReceiveAsync(0, Key, destination, TestCancellation);
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await receive);
        Assert.Contains(Key.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("5 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("expects 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_CancelledWhileWaiting_ThrowsAndTheTileStaysForTheNextReceive()
    {
        await using var group = InProcessCollective.Create(2);
        using var cancel = new CancellationTokenSource();
        var pending = group.Ranks[0].ReceiveAsync(1, Key, new byte[4], cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);

        await group.Ranks[1].SendAsync(0, Key, Bytes(5), TestCancellation);
        var received = new byte[4];
        await group.Ranks[0].ReceiveAsync(1, Key, received, TestCancellation);
        Assert.Equal([5f], Floats(received));
    }

    [Fact]
    public async Task Dispose_ReceivePendingAndTilesOnASlowLink_FailsTheReceiveWithoutHanging()
    {
        var group = InProcessCollective.Create(2, LinkModel.Parse("1kbit"));
        var pending = group.Ranks[1].ReceiveAsync(0, Key.At(0, 1), new byte[4], TestCancellation);
        await group.Ranks[0].SendAsync(1, Key, new byte[40_000], TestCancellation);

        await group.DisposeAsync().AsTask().WaitAsync(RingHarness.HangGuard, TestCancellation);

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pending);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await group.Ranks[0].SendAsync(1, Key, new byte[4], TestCancellation));
    }

    [Fact]
    public async Task Receive_TwiceForTheSameKey_Throws()
    {
        await using var group = InProcessCollective.Create(2);
        var first = group.Ranks[0].ReceiveAsync(1, Key, new byte[4], TestCancellation);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await group.Ranks[0].ReceiveAsync(1, Key, new byte[4], TestCancellation));
        await group.Ranks[1].SendAsync(0, Key, new byte[4], TestCancellation);
        await first;
    }

    [Fact]
    public async Task Send_ToARankOutsideTheGroup_ThrowsArgumentOutOfRange()
    {
        await using var group = InProcessCollective.Create(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = group.Ranks[0].SendAsync(2, Key, new byte[4], TestCancellation).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = group.Ranks[0].ReceiveAsync(-1, Key, new byte[4], TestCancellation).AsTask(); });
    }

    [Fact]
    public async Task Stats_CountBytesMessagesAndOnlyTheWaitOfReceivesThatWaited()
    {
        await using var group = InProcessCollective.Create(2);
        var early = Key with { Phase = CollectivePhase.KeyGather };
        var late = Key with { Phase = CollectivePhase.ValueGather };

        await group.Ranks[0].SendAsync(1, early, new byte[24], TestCancellation);
        await group.Ranks[1].ReceiveAsync(0, early, new byte[24], TestCancellation);

        var waiting = group.Ranks[1].ReceiveAsync(0, late, new byte[12], TestCancellation);
        await Task.Yield();
        await group.Ranks[0].SendAsync(1, late, new byte[12], TestCancellation);
        await waiting;

        var stats = group.Stats.Snapshot();
        var sentEarly = Assert.Single(stats, t => t.Rank == 0 && t.Phase == CollectivePhase.KeyGather);
        Assert.Equal(new CollectiveTraffic(0, 1, CollectivePhase.KeyGather, 24, 0, 1, 0, TimeSpan.Zero), sentEarly);
        var receivedEarly = Assert.Single(stats, t => t.Rank == 1 && t.Phase == CollectivePhase.KeyGather);
        Assert.Equal(new CollectiveTraffic(1, 1, CollectivePhase.KeyGather, 0, 24, 0, 1, TimeSpan.Zero), receivedEarly);
        var receivedLate = Assert.Single(stats, t => t.Rank == 1 && t.Phase == CollectivePhase.ValueGather);
        Assert.Equal(12, receivedLate.BytesReceived);
        Assert.True(receivedLate.ReceiveWait > TimeSpan.Zero);

        group.Stats.Reset();
        Assert.Empty(group.Stats.Snapshot());
    }

    [Fact]
    public async Task LinkModel_OneMegabitPerSecond_DeliversNoSoonerThanModelled()
    {
        var link = new LinkModel(BytesPerSecond: 1e6 / 8, LatencyPerMessage: TimeSpan.FromMilliseconds(1));
        await using var group = InProcessCollective.Create(2, link);
        var message = new byte[2000];
        var modelled = link.TransmissionSeconds(message.Length);
        Assert.Equal(0.017, modelled, precision: 12);

        var start = Stopwatch.GetTimestamp();
        await group.Ranks[0].SendAsync(1, Key.At(0, 0), message, TestCancellation);
        await group.Ranks[0].SendAsync(1, Key.At(0, 1), message, TestCancellation);
        await group.Ranks[1].ReceiveAsync(0, Key.At(0, 0), new byte[2000], TestCancellation);
        var first = Seconds(Stopwatch.GetTimestamp() - start);
        await group.Ranks[1].ReceiveAsync(0, Key.At(0, 1), new byte[2000], TestCancellation);
        var second = Seconds(Stopwatch.GetTimestamp() - start);

        // Lower bounds only: the link carries one message's bytes at a time, so the second leaves when the first's
        // bytes are out (16 ms) and arrives 1 ms after its own 16 ms: 33 ms; the latencies overlap, they do not add.
        var occupancy = message.Length / link.BytesPerSecond;
        Assert.True(first >= modelled, $"first tile after {first * 1e3:F3} ms, modelled {modelled * 1e3:F3} ms");
        Assert.True(second >= occupancy + modelled, $"second tile after {second * 1e3:F3} ms, modelled {(occupancy + modelled) * 1e3:F3} ms");
    }

    [Fact]
    public async Task LinkModel_RingOverSimulatedLinks_GivesTheSameSums()
    {
        int[] chunkRows = [4, 1, 0];
        const int width = 16;
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, 3).Select(r => TestData.Uniform(rows * width, seed: 90 + r)).ToArray();
        await using var group = InProcessCollective.Create(3, LinkModel.Parse("100mbit+100us"));

        var (reduced, _) = await RingReduceScatterTests.RunAsync(group, Key, chunkRows, width, partials, tileRows: 2, overlap: true);

        var expected = RingHarness.RingOrderSum(partials, chunkRows, width);
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(expected.AsSpan(RingHarness.RowStart(chunkRows, r) * width, chunkRows[r] * width).ToArray(), reduced[r]);
        }
    }

    private static double Seconds(long stopwatchTicks) => (double)stopwatchTicks / Stopwatch.Frequency;

    private static byte[] Bytes(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();
}
