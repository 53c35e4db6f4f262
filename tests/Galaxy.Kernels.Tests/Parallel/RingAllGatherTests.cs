using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class RingAllGatherTests
{
    public static TheoryData<int, int, int> Shapes() => RingHarness.Shapes();

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task AllGather_UnevenChunks_EveryRankHoldsTheConcatenationAndSeesEachRowOnce(int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 100) + (width * 10) + tileMode);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var expected = TestData.Uniform(rows * width, seed: devices + width);

        foreach (var overlap in new[] { true, false })
        {
            await using var group = InProcessCollective.Create(devices);
            var key = RingHarness.Key(phase: CollectivePhase.AttentionGather);
            var gathered = new float[devices][];
            var calls = new List<(int Chunk, int RowStart, int RowCount)>[devices];

            await RingHarness.RunAllAsync(group.Ranks, async rank =>
            {
                var r = rank.Rank;
                var buffer = gathered[r] = Enumerable.Repeat(float.NaN, rows * width).ToArray();
                var ownStart = RingHarness.RowStart(chunkRows, r) * width;
                Array.Copy(expected, ownStart, buffer, ownStart, chunkRows[r] * width);
                var seen = calls[r] = [];

                await Ring.AllGatherAsync(rank, key, chunkRows, width, buffer, (chunk, rowStart, rowCount) =>
                {
                    // The rows must be in place when the callback hears of them.
                    Assert.Equal(expected.AsSpan(rowStart * width, rowCount * width), buffer.AsSpan(rowStart * width, rowCount * width));
                    seen.Add((chunk, rowStart, rowCount));
                    return ValueTask.CompletedTask;
                }, tileRows, overlap, cancellationToken: TestContext.Current.CancellationToken);
            });

            for (var r = 0; r < devices; r++)
            {
                Assert.Equal(expected, gathered[r]);
                AssertCoversEveryRowOnce(calls[r], chunkRows, tileRows);
                var chunkOrder = calls[r].Select(c => c.Chunk).Distinct().ToList();
                var expectedOrder = overlap
                    ? Enumerable.Range(0, devices).Select(i => RingHarness.Mod(r - i, devices))
                    : Enumerable.Range(0, devices);
                Assert.Equal(expectedOrder.Where(j => chunkRows[j] > 0), chunkOrder);
                if (!overlap)
                {
                    Assert.Equal(calls[r].OrderBy(c => c.RowStart), calls[r]);
                }

                // Rank r receives every chunk but its own and sends every chunk but (r+1)'s, which r+1 already holds.
                var traffic = RingHarness.Traffic(group.Stats, r, key);
                var next = RingHarness.Mod(r + 1, devices);
                Assert.Equal(devices == 1 ? 0 : (long)(rows - chunkRows[r]) * width * sizeof(float), traffic.BytesReceived);
                Assert.Equal(devices == 1 ? 0 : (long)(rows - chunkRows[next]) * width * sizeof(float), traffic.BytesSent);
                var all = Enumerable.Range(0, devices);
                Assert.Equal(devices == 1 ? 0 : RingHarness.Messages(chunkRows, tileRows, all.Where(j => j != r)), traffic.MessagesReceived);
                Assert.Equal(devices == 1 ? 0 : RingHarness.Messages(chunkRows, tileRows, all.Where(j => j != next)), traffic.MessagesSent);
            }
        }
    }

    [Fact]
    public async Task AllGather_CallbacksHeldUntilEveryTileArrived_RingStillCompletes()
    {
        // The ring forwards on its own task: if forwarding waited for the callbacks, nobody would get all tiles.
        int[] chunkRows = [2, 0, 3, 1, 4];
        const int width = 5;
        var rows = chunkRows.Sum();
        var expected = TestData.Uniform(rows * width, seed: 11);
        await using var group = InProcessCollective.Create(chunkRows.Length);
        var counting = group.Ranks.Select(r => new CountingCollective(r)).ToArray();
        var expectedReceives = Enumerable.Range(0, chunkRows.Length)
            .Sum(r => RingHarness.Messages(chunkRows, 1, Enumerable.Range(0, chunkRows.Length).Where(j => j != r)));
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0L;
        foreach (var c in counting)
        {
            c.Received += () =>
            {
                if (Interlocked.Increment(ref received) == expectedReceives)
                {
                    allArrived.SetResult();
                }
            };
        }

        var gathered = new float[chunkRows.Length][];
        await RingHarness.RunAllAsync(counting, async rank =>
        {
            var buffer = gathered[rank.Rank] = new float[rows * width];
            var ownStart = RingHarness.RowStart(chunkRows, rank.Rank) * width;
            Array.Copy(expected, ownStart, buffer, ownStart, chunkRows[rank.Rank] * width);
            await Ring.AllGatherAsync(rank, RingHarness.Key(), chunkRows, width, buffer, async (_, _, _) => await allArrived.Task,
                tileRows: 1, overlap: true, cancellationToken: TestContext.Current.CancellationToken);
        });

        Assert.All(gathered, g => Assert.Equal(expected, g));
    }

    [Fact]
    public async Task AllGather_CallbackThrows_FailsWithItsExceptionAfterStoppingTheRing()
    {
        await using var group = InProcessCollective.Create(1);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Ring.AllGatherAsync(
            group.Ranks[0], RingHarness.Key(), [3], 2, new float[6], (_, _, _) => throw new InvalidOperationException("compute failed"),
            tileRows: 1, overlap: true, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("compute failed", error.Message);

        await using var pair = InProcessCollective.Create(2);
        var buffer = new float[8];
        var gather = Ring.AllGatherAsync(pair.Ranks[0], RingHarness.Key(), [2, 2], 2, buffer, (_, _, _) => throw new InvalidOperationException("compute failed"),
            tileRows: 1, overlap: true, cancellationToken: TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<InvalidOperationException>(() => gather.WaitAsync(RingHarness.HangGuard, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AllGather_BadShapes_ThrowClearArgumentExceptions()
    {
        await using var group = InProcessCollective.Create(3);
        var rank = group.Ranks[1];
        var key = RingHarness.Key();
        var ct = TestContext.Current.CancellationToken;

        Assert.Contains("3 ranks", ThrowsUpFront(() => Ring.AllGatherAsync(rank, key, [1, 2], 4, new float[12], null, 1, true, cancellationToken: ct)).Message);
        Assert.Contains("chunkRows[1] is -1", ThrowsUpFront(() => Ring.AllGatherAsync(rank, key, [1, -1, 2], 4, new float[8], null, 1, true, cancellationToken: ct)).Message);
        Assert.Contains("6 rows × 4 = 24", ThrowsUpFront(() => Ring.AllGatherAsync(rank, key, [1, 2, 3], 4, new float[20], null, 1, true, cancellationToken: ct)).Message);
        Assert.Equal("width", ThrowsUpFront(() => Ring.AllGatherAsync(rank, key, [1, 2, 3], 0, Array.Empty<float>(), null, 1, true, cancellationToken: ct)).ParamName);
        Assert.Equal("tileRows", ThrowsUpFront(() => Ring.AllGatherAsync(rank, key, [1, 2, 3], 4, new float[24], null, 0, true, cancellationToken: ct)).ParamName);
        Assert.IsType<ArgumentNullException>(ThrowsUpFront(() => Ring.AllGatherAsync(rank, key, null!, 4, new float[24], null, 1, true, cancellationToken: ct)));
    }

    /// <summary>Asserts that the call throws before it returns a task (the arguments are checked up front).</summary>
    internal static ArgumentException ThrowsUpFront(Func<Task> call) => Assert.ThrowsAny<ArgumentException>(() => { _ = call(); });

    internal static void AssertCoversEveryRowOnce(List<(int Chunk, int RowStart, int RowCount)> calls, int[] chunkRows, int tileRows)
    {
        var hits = new int[chunkRows.Sum()];
        foreach (var (chunk, rowStart, rowCount) in calls)
        {
            Assert.InRange(rowCount, 1, tileRows);
            var chunkStart = RingHarness.RowStart(chunkRows, chunk);
            Assert.InRange(rowStart, chunkStart, chunkStart + chunkRows[chunk] - rowCount);
            for (var row = rowStart; row < rowStart + rowCount; row++)
            {
                hits[row]++;
            }
        }

        Assert.All(hits, h => Assert.Equal(1, h));
    }

    /// <summary>Passes everything through and reports each completed receive.</summary>
    private sealed class CountingCollective(ICollective inner) : ICollective
    {
        public event Action? Received;

        public int Rank => inner.Rank;

        public int Size => inner.Size;

        public ValueTask SendAsync(int destination, TileKey key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
            inner.SendAsync(destination, key, data, cancellationToken);

        public async ValueTask ReceiveAsync(int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            await inner.ReceiveAsync(source, key, destination, cancellationToken);
            Received?.Invoke();
        }
    }
}
