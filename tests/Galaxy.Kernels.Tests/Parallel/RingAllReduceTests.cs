using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

public sealed class RingAllReduceTests
{
    public static TheoryData<int, int, int> Shapes() => RingHarness.Shapes();

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task AllReduce_UnevenChunks_EveryRankHoldsTheSum(int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 10000) + (width * 10) + tileMode);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var integers = Enumerable.Range(0, devices).Select(r => RingHarness.IntegerPartials(r, rows, width)).ToArray();
        var floats = Enumerable.Range(0, devices).Select(r => TestData.Uniform(rows * width, seed: 70 + r)).ToArray();

        foreach (var partials in new[] { integers, floats })
        {
            await using var group = InProcessCollective.Create(devices);
            var key = RingHarness.Key(requestId: 3, layer: 5, phase: CollectivePhase.AttentionGather);
            var data = partials.Select(p => (float[])p.Clone()).ToArray();

            await RingHarness.RunAllAsync(group.Ranks, rank =>
                Ring.AllReduceAsync(rank, key, chunkRows, width, data[rank.Rank], tileRows, cancellationToken: TestContext.Current.CancellationToken));

            var expected = RingHarness.RingOrderSum(partials, chunkRows, width);
            Assert.All(data, d => Assert.Equal(expected, d));
            if (partials == integers)
            {
                Assert.Equal(Enumerable.Range(0, rows * width).Select(i => partials.Sum(p => p[i])), expected);
            }

            // ReduceScatter then AllGather: sends (S − rows[r]) + (S − rows[r+1]), receives (S − rows[r−1]) + (S − rows[r]) rows.
            for (var r = 0; r < devices; r++)
            {
                var traffic = RingHarness.Traffic(group.Stats, r, key);
                var sent = devices == 1 ? 0 : (2 * rows) - chunkRows[r] - chunkRows[RingHarness.Mod(r + 1, devices)];
                var received = devices == 1 ? 0 : (2 * rows) - chunkRows[RingHarness.Mod(r - 1, devices)] - chunkRows[r];
                Assert.Equal((long)sent * width * sizeof(float), traffic.BytesSent);
                Assert.Equal((long)received * width * sizeof(float), traffic.BytesReceived);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AllReduce_TwoRequestsAtOnceOnTheSameRanks_DoNotMix(bool simulatedLinks)
    {
        int[] chunkRows = [3, 0, 5, 2];
        const int width = 9;
        var rows = chunkRows.Sum();
        await using var group = InProcessCollective.Create(chunkRows.Length, simulatedLinks ? LinkModel.Parse("1gbit+50us") : null);
        var first = Enumerable.Range(0, 4).Select(r => RingHarness.IntegerPartials(r, rows, width)).ToArray();
        var second = Enumerable.Range(0, 4).Select(r => RingHarness.IntegerPartials(r + 10, rows, width)).ToArray();
        var firstData = first.Select(p => (float[])p.Clone()).ToArray();
        var secondData = second.Select(p => (float[])p.Clone()).ToArray();

        await RingHarness.RunAllAsync(group.Ranks, rank => Task.WhenAll(
            Ring.AllReduceAsync(rank, RingHarness.Key(requestId: 1), chunkRows, width, firstData[rank.Rank], tileRows: 2, cancellationToken: TestContext.Current.CancellationToken),
            Ring.AllReduceAsync(rank, RingHarness.Key(requestId: 2), chunkRows, width, secondData[rank.Rank], tileRows: 1, cancellationToken: TestContext.Current.CancellationToken)));

        var firstSum = RingHarness.RingOrderSum(first, chunkRows, width);
        var secondSum = RingHarness.RingOrderSum(second, chunkRows, width);
        Assert.NotEqual(firstSum, secondSum);
        Assert.All(firstData, d => Assert.Equal(firstSum, d));
        Assert.All(secondData, d => Assert.Equal(secondSum, d));
    }

    [Fact]
    public async Task AllReduce_BufferOfTheWrongLength_ThrowsUpFront()
    {
        await using var group = InProcessCollective.Create(2);
        Assert.Contains("data holds 10 floats", RingAllGatherTests.ThrowsUpFront(() =>
            Ring.AllReduceAsync(group.Ranks[0], RingHarness.Key(), [2, 1], 4, new float[10], 1, cancellationToken: TestContext.Current.CancellationToken)).Message);
    }
}
