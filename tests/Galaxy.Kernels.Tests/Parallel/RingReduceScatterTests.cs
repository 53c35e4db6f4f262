using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class RingReduceScatterTests
{
    public static TheoryData<int, int, int> Shapes() => RingHarness.Shapes();

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task ReduceScatter_IntegerPartials_EveryRankHoldsTheExactSumOfItsChunk(int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 100) + (width * 10) + tileMode);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, devices).Select(r => RingHarness.IntegerPartials(r, rows, width)).ToArray();
        var exact = new float[rows * width];
        for (var i = 0; i < exact.Length; i++)
        {
            exact[i] = (float)partials.Sum(p => (double)p[i]);
        }

        foreach (var overlap in new[] { true, false })
        {
            await using var group = InProcessCollective.Create(devices);
            var key = RingHarness.Key(phase: CollectivePhase.MlpReduce);
            var (reduced, calls) = await RunAsync(group, key, chunkRows, width, partials, tileRows, overlap);

            for (var r = 0; r < devices; r++)
            {
                Assert.Equal(exact.AsSpan(RingHarness.RowStart(chunkRows, r) * width, chunkRows[r] * width).ToArray(), reduced[r]);
                RingAllGatherTests.AssertCoversEveryRowOnce(calls[r], chunkRows, tileRows);
                var chunkOrder = calls[r].Select(c => c.Chunk).Distinct().ToList();
                var expectedOrder = overlap
                    ? Enumerable.Range(1, devices).Select(k => RingHarness.Mod(r - k, devices))
                    : Enumerable.Range(0, devices);
                Assert.Equal(expectedOrder.Where(j => chunkRows[j] > 0), chunkOrder);

                // Rank r sends the running sums of chunks r−1 … r+1 (all but its own) and receives those of
                // chunks r−2 … r (all but r−1, whose sum it starts).
                var traffic = RingHarness.Traffic(group.Stats, r, key);
                var previous = RingHarness.Mod(r - 1, devices);
                Assert.Equal(devices == 1 ? 0 : (long)(rows - chunkRows[r]) * width * sizeof(float), traffic.BytesSent);
                Assert.Equal(devices == 1 ? 0 : (long)(rows - chunkRows[previous]) * width * sizeof(float), traffic.BytesReceived);
                var all = Enumerable.Range(0, devices);
                Assert.Equal(devices == 1 ? 0 : RingHarness.Messages(chunkRows, tileRows, all.Where(j => j != r)), traffic.MessagesSent);
                Assert.Equal(devices == 1 ? 0 : RingHarness.Messages(chunkRows, tileRows, all.Where(j => j != previous)), traffic.MessagesReceived);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task ReduceScatter_RandomFloats_SameBitsWithAndWithoutOverlapInTheDocumentedOrder(int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 1000) + (width * 10) + tileMode);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, devices).Select(r => TestData.Uniform(rows * width, seed: 50 + r, scale: 3f)).ToArray();
        var ringOrder = RingHarness.RingOrderSum(partials, chunkRows, width);
        var exact = new double[rows * width];
        for (var i = 0; i < exact.Length; i++)
        {
            exact[i] = partials.Sum(p => (double)p[i]);
        }

        var results = new List<float[][]>();
        foreach (var overlap in new[] { true, false, true })
        {
            await using var group = InProcessCollective.Create(devices);
            var (reduced, _) = await RunAsync(group, RingHarness.Key(), chunkRows, width, partials, tileRows, overlap);
            results.Add(reduced);
        }

        for (var r = 0; r < devices; r++)
        {
            var start = RingHarness.RowStart(chunkRows, r) * width;
            var expectedBits = ringOrder.AsSpan(start, chunkRows[r] * width).ToArray();
            Assert.All(results, run => Assert.Equal(Bits(expectedBits), Bits(run[r])));
            Assert.True(TestData.MaxAbsDiff(exact.Skip(start).Take(expectedBits.Length).Select(v => (float)v).ToArray(), expectedBits) <= 1e-5 * devices * 3);
        }
    }

    [Fact]
    public async Task ReduceScatter_SendsThatCompleteOnlyAtTheNextPartial_StillFinish()
    {
        // Each send stays in flight until its rank produces its next partial: a ring that awaited a send before
        // computing the next tile would wait forever. Every chunk has rows so every send is followed by a partial.
        int[] chunkRows = [2, 3, 1, 2];
        const int width = 3;
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, chunkRows.Length).Select(r => RingHarness.IntegerPartials(r, rows, width)).ToArray();
        await using var group = InProcessCollective.Create(chunkRows.Length);
        var held = group.Ranks.Select(r => new HeldSendCollective(r)).ToArray();
        var reduced = new float[chunkRows.Length][];
        var sendsInFlightAtAPartial = 0;

        await RingHarness.RunAllAsync(held, async rank =>
        {
            var r = rank.Rank;
            var output = reduced[r] = new float[chunkRows[r] * width];
            await Ring.ReduceScatterAsync(rank, RingHarness.Key(), chunkRows, width, (_, rowStart, rowCount, destination) =>
            {
                if (held[r].ReleaseAll() > 0)
                {
                    Interlocked.Increment(ref sendsInFlightAtAPartial);
                }

                partials[r].AsSpan(rowStart * width, rowCount * width).CopyTo(destination.Span);
                return ValueTask.CompletedTask;
            }, output, tileRows: 1, overlap: true, cancellationToken: TestContext.Current.CancellationToken);
        });

        Assert.True(sendsInFlightAtAPartial > 0);
        for (var r = 0; r < chunkRows.Length; r++)
        {
            var start = RingHarness.RowStart(chunkRows, r) * width;
            var expected = Enumerable.Range(start, chunkRows[r] * width).Select(i => partials.Sum(p => p[i])).ToArray();
            Assert.Equal(expected, reduced[r]);
        }
    }

    [Fact]
    public async Task ReduceScatter_BadShapes_ThrowClearArgumentExceptions()
    {
        await using var group = InProcessCollective.Create(3);
        var rank = group.Ranks[1];
        var key = RingHarness.Key();
        var ct = TestContext.Current.CancellationToken;
        static ValueTask Zeros(int chunk, int rowStart, int rowCount, Memory<float> destination) => ValueTask.CompletedTask;

        Assert.Contains("rank 1's chunk is 2 rows × 4 = 8", RingAllGatherTests.ThrowsUpFront(
            () => Ring.ReduceScatterAsync(rank, key, [1, 2, 3], 4, Zeros, new float[7], 1, true, cancellationToken: ct)).Message);
        Assert.Contains("chunkRows[2] is -3", RingAllGatherTests.ThrowsUpFront(
            () => Ring.ReduceScatterAsync(rank, key, [1, 2, -3], 4, Zeros, new float[8], 1, true, cancellationToken: ct)).Message);
        Assert.Equal("producePartial", RingAllGatherTests.ThrowsUpFront(
            () => Ring.ReduceScatterAsync(rank, key, [1, 2, 3], 4, null!, new float[8], 1, true, cancellationToken: ct)).ParamName);
        Assert.Equal("tileRows", RingAllGatherTests.ThrowsUpFront(
            () => Ring.ReduceScatterAsync(rank, key, [1, 2, 3], 4, Zeros, new float[8], -1, false, cancellationToken: ct)).ParamName);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>Runs ReduceScatter on every rank with the given partials; returns each rank's chunk and its producePartial calls.</summary>
    internal static async Task<(float[][] Reduced, List<(int Chunk, int RowStart, int RowCount)>[] Calls)> RunAsync(
        InProcessCollective group, TileKey key, int[] chunkRows, int width, float[][] partials, int tileRows, bool overlap)
    {
        var devices = group.Size;
        var reduced = new float[devices][];
        var calls = new List<(int Chunk, int RowStart, int RowCount)>[devices];
        await RingHarness.RunAllAsync(group.Ranks, async rank =>
        {
            var r = rank.Rank;
            var output = reduced[r] = Enumerable.Repeat(float.NaN, chunkRows[r] * width).ToArray();
            var seen = calls[r] = [];
            await Ring.ReduceScatterAsync(rank, key, chunkRows, width, (chunk, rowStart, rowCount, destination) =>
            {
                Assert.Equal(rowCount * width, destination.Length);
                seen.Add((chunk, rowStart, rowCount));
                partials[r].AsSpan(rowStart * width, rowCount * width).CopyTo(destination.Span);
                return ValueTask.CompletedTask;
            }, output, tileRows, overlap, cancellationToken: TestContext.Current.CancellationToken);
        });

        return (reduced, calls);
    }

    /// <summary>Delivers each tile at once but reports the send complete only when <see cref="ReleaseAll"/> is called.</summary>
    private sealed class HeldSendCollective(ICollective inner) : ICollective
    {
        private readonly Lock _lock = new();
        private readonly List<TaskCompletionSource> _held = [];

        public int Rank => inner.Rank;

        public int Size => inner.Size;

        public async ValueTask SendAsync(int destination, TileKey key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            await inner.SendAsync(destination, key, data, cancellationToken);
            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _held.Add(completion);
            }

            await completion.Task;
        }

        public ValueTask ReceiveAsync(int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            inner.ReceiveAsync(source, key, destination, cancellationToken);

        /// <summary>Completes every send held so far; returns how many there were.</summary>
        public int ReleaseAll()
        {
            TaskCompletionSource[] held;
            lock (_lock)
            {
                held = [.. _held];
                _held.Clear();
            }

            foreach (var completion in held)
            {
                completion.SetResult();
            }

            return held.Length;
        }
    }
}
