using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

/// <summary>The direct-exchange collectives: results, callback order, bit-stable sums and bytes per rank.</summary>
public sealed class DirectCollectiveTests
{
    public static TheoryData<int, int, int> Shapes() => RingHarness.Shapes();

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task AllGather_UnevenChunks_EveryRankHoldsEveryRowAndSeesEachOnce(int devices, int width, int tileMode)
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
                await Direct.AllGatherAsync(rank, key, chunkRows, width, buffer, (chunk, rowStart, rowCount) =>
                {
                    Assert.Equal(expected.AsSpan(rowStart * width, rowCount * width), buffer.AsSpan(rowStart * width, rowCount * width));
                    seen.Add((chunk, rowStart, rowCount));
                    return ValueTask.CompletedTask;
                }, tileRows, overlap, cancellationToken: TestContext.Current.CancellationToken);
            });

            for (var r = 0; r < devices; r++)
            {
                Assert.Equal(expected, gathered[r]);
                RingAllGatherTests.AssertCoversEveryRowOnce(calls[r], chunkRows, tileRows);
                var chunkOrder = calls[r].Select(c => c.Chunk).Distinct().ToList();
                var expectedOrder = overlap
                    ? Enumerable.Range(0, devices).Select(i => RingHarness.Mod(r - i, devices))
                    : Enumerable.Range(0, devices);
                Assert.Equal(expectedOrder.Where(j => chunkRows[j] > 0), chunkOrder);

                // Rank r sends its chunk to each of the N − 1 others and receives every other chunk once.
                var traffic = RingHarness.Traffic(group.Stats, r, key);
                var all = Enumerable.Range(0, devices);
                Assert.Equal((long)(devices - 1) * chunkRows[r] * width * sizeof(float), traffic.BytesSent);
                Assert.Equal((long)(rows - chunkRows[r]) * width * sizeof(float), traffic.BytesReceived);
                Assert.Equal((devices - 1) * RingHarness.Messages(chunkRows, tileRows, [r]), traffic.MessagesSent);
                Assert.Equal(RingHarness.Messages(chunkRows, tileRows, all.Where(j => j != r)), traffic.MessagesReceived);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task ReduceScatter_IntegerPartials_EveryRankHoldsTheExactSumAndTheBytesOfTheFormula(int devices, int width, int tileMode)
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
            var (reduced, calls) = await RunReduceScatterAsync(group, key, chunkRows, width, partials, tileRows, overlap);
            for (var r = 0; r < devices; r++)
            {
                Assert.Equal(exact.AsSpan(RingHarness.RowStart(chunkRows, r) * width, chunkRows[r] * width).ToArray(), reduced[r]);
                RingAllGatherTests.AssertCoversEveryRowOnce(calls[r], chunkRows, tileRows);
                var chunkOrder = calls[r].Select(c => c.Chunk).Distinct().ToList();
                var expectedOrder = overlap
                    ? Enumerable.Range(1, devices).Select(k => RingHarness.Mod(r + k, devices))
                    : Enumerable.Range(0, devices);
                Assert.Equal(expectedOrder.Where(j => chunkRows[j] > 0), chunkOrder);

                var traffic = RingHarness.Traffic(group.Stats, r, key);
                var all = Enumerable.Range(0, devices);
                Assert.Equal((long)(rows - chunkRows[r]) * width * sizeof(float), traffic.BytesSent);
                Assert.Equal((long)(devices - 1) * chunkRows[r] * width * sizeof(float), traffic.BytesReceived);
                Assert.Equal(RingHarness.Messages(chunkRows, tileRows, all.Where(j => j != r)), traffic.MessagesSent);
                Assert.Equal((devices - 1) * RingHarness.Messages(chunkRows, tileRows, [r]), traffic.MessagesReceived);
            }
        }
    }

    [Theory]
    [InlineData(2, 5, 1)]
    [InlineData(3, 64, 0)]
    [InlineData(5, 7, 3)]
    [InlineData(6, 64, 2)]
    public async Task ReduceScatter_RandomFloats_SameBitsWithAndWithoutOverlapInTheDocumentedOrder(int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 1000) + (width * 10) + tileMode);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, devices).Select(r => TestData.Uniform(rows * width, seed: 50 + r, scale: 3f)).ToArray();
        var results = new List<float[][]>();
        foreach (var overlap in new[] { true, false, true })
        {
            await using var group = InProcessCollective.Create(devices);
            var (reduced, _) = await RunReduceScatterAsync(group, RingHarness.Key(), chunkRows, width, partials, tileRows, overlap);
            results.Add(reduced);
        }

        for (var r = 0; r < devices; r++)
        {
            var start = RingHarness.RowStart(chunkRows, r) * width;
            var expected = new float[chunkRows[r] * width];
            for (var i = 0; i < expected.Length; i++)
            {
                // ((p[r] + p[r−1]) + p[r−2]) + … in float.
                var sum = partials[r][start + i];
                for (var offset = 1; offset < devices; offset++)
                {
                    sum += partials[RingHarness.Mod(r - offset, devices)][start + i];
                }

                expected[i] = sum;
            }

            Assert.All(results, run => Assert.Equal(Bits(expected), Bits(run[r])));
        }
    }

    [Theory]
    [InlineData(1, 4, 1)]
    [InlineData(3, 7, 0)]
    [InlineData(4, 64, 2)]
    [InlineData(6, 5, 1)]
    public async Task AllReduce_IntegerPartials_EveryRankHoldsTheSameExactTotal(int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: 77 + devices + width);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, devices).Select(r => RingHarness.IntegerPartials(r, rows, width)).ToArray();
        var exact = Enumerable.Range(0, rows * width).Select(i => (float)partials.Sum(p => (double)p[i])).ToArray();
        await using var group = InProcessCollective.Create(devices);
        var key = RingHarness.Key(phase: CollectivePhase.MlpReduce);
        var data = partials.Select(p => (float[])p.Clone()).ToArray();

        await RingHarness.RunAllAsync(group.Ranks, rank =>
            Direct.AllReduceAsync(rank, key, chunkRows, width, data[rank.Rank], tileRows, cancellationToken: TestContext.Current.CancellationToken));

        for (var r = 0; r < devices; r++)
        {
            Assert.Equal(exact, data[r]);
            var traffic = RingHarness.Traffic(group.Stats, r, key);
            Assert.Equal((long)((rows - chunkRows[r]) + ((devices - 1) * chunkRows[r])) * width * sizeof(float), traffic.BytesSent);
        }
    }

    [Fact]
    public async Task BadShapes_ThrowClearArgumentExceptionsUpFront()
    {
        await using var group = InProcessCollective.Create(3);
        var rank = group.Ranks[1];
        var key = RingHarness.Key();
        var ct = TestContext.Current.CancellationToken;
        static ValueTask Zeros(int chunk, int rowStart, int rowCount, Memory<float> destination) => ValueTask.CompletedTask;

        Assert.Contains("3 ranks", RingAllGatherTests.ThrowsUpFront(() => Direct.AllGatherAsync(rank, key, [1, 2], 4, new float[12], null, 1, true, cancellationToken: ct)).Message);
        Assert.Contains("6 rows × 4 = 24", RingAllGatherTests.ThrowsUpFront(() => Direct.AllGatherAsync(rank, key, [1, 2, 3], 4, new float[20], null, 1, true, cancellationToken: ct)).Message);
        Assert.Contains("rank 1's chunk is 2 rows × 4 = 8", RingAllGatherTests.ThrowsUpFront(
            () => Direct.ReduceScatterAsync(rank, key, [1, 2, 3], 4, Zeros, new float[7], 1, true, cancellationToken: ct)).Message);
        Assert.Equal("producePartial", RingAllGatherTests.ThrowsUpFront(
            () => Direct.ReduceScatterAsync(rank, key, [1, 2, 3], 4, null!, new float[8], 1, true, cancellationToken: ct)).ParamName);
        Assert.Equal("tileRows", RingAllGatherTests.ThrowsUpFront(
            () => Direct.AllReduceAsync(rank, key, [1, 2, 3], 4, new float[24], 0, cancellationToken: ct)).ParamName);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static async Task<(float[][] Reduced, List<(int Chunk, int RowStart, int RowCount)>[] Calls)> RunReduceScatterAsync(
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
            await Direct.ReduceScatterAsync(rank, key, chunkRows, width, (chunk, rowStart, rowCount, destination) =>
            {
                Assert.Equal(rowCount * width, destination.Length);
                seen.Add((chunk, rowStart, rowCount));
                partials[r].AsSpan(rowStart * width, rowCount * width).CopyTo(destination.Span);
                return ValueTask.CompletedTask;
            }, output, tileRows, overlap, cancellationToken: TestContext.Current.CancellationToken);
        });

        return (reduced, calls);
    }
}
