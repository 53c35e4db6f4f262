using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

/// <summary>
/// Ring and direct collectives with tiles encoded as bf16 or int8 on the links: the exact bits their documented
/// encode / decode / add order gives, the same bits on every rank where the collective promises it, and the
/// encoded bytes on the links.
/// </summary>
public sealed class LinkPrecisionCollectiveTests
{
    public static TheoryData<CollectiveAlgorithm, LinkPrecision, int, int, int> Cases()
    {
        var data = new TheoryData<CollectiveAlgorithm, LinkPrecision, int, int, int>();
        foreach (var algorithm in Enum.GetValues<CollectiveAlgorithm>())
        {
            foreach (var precision in new[] { LinkPrecision.Bf16, LinkPrecision.Int8 })
            {
                for (var devices = 1; devices <= 5; devices++)
                {
                    data.Add(algorithm, precision, devices, 7, 1);
                    data.Add(algorithm, precision, devices, 64, 0);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AllGather_Lossy_EveryRankHoldsEachChunkAsItsOwnerEncodedIt(CollectiveAlgorithm algorithm, LinkPrecision precision, int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 31) + width);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var original = TestData.Uniform(rows * width, seed: devices + width, scale: 5f);
        var expected = devices == 1 ? original : RoundTrip(precision, original, width);

        foreach (var overlap in new[] { true, false })
        {
            await using var group = InProcessCollective.Create(devices);
            var key = RingHarness.Key(phase: CollectivePhase.AttentionGather);
            var gathered = new float[devices][];
            await RingHarness.RunAllAsync(group.Ranks, async rank =>
            {
                var r = rank.Rank;
                var buffer = gathered[r] = Enumerable.Repeat(float.NaN, rows * width).ToArray();
                var ownStart = RingHarness.RowStart(chunkRows, r) * width;
                Array.Copy(original, ownStart, buffer, ownStart, chunkRows[r] * width);
                await Collectives.AllGatherAsync(algorithm, rank, key, chunkRows, width, buffer, (_, rowStart, rowCount) =>
                {
                    // Callbacks see rows as every rank will hold them, the owner's own rows included.
                    Assert.Equal(Bits(expected.AsSpan(rowStart * width, rowCount * width)), Bits(buffer.AsSpan(rowStart * width, rowCount * width)));
                    return ValueTask.CompletedTask;
                }, tileRows, overlap, precision, TestContext.Current.CancellationToken);
            });

            for (var r = 0; r < devices; r++)
            {
                Assert.Equal(Bits(expected), Bits(gathered[r]));
                var traffic = RingHarness.Traffic(group.Stats, r, key);
                var next = RingHarness.Mod(r + 1, devices);
                var (sent, received) = algorithm == CollectiveAlgorithm.Ring
                    ? (Bytes(precision, rows - chunkRows[next], width), Bytes(precision, rows - chunkRows[r], width))
                    : ((devices - 1) * Bytes(precision, chunkRows[r], width), Bytes(precision, rows - chunkRows[r], width));
                Assert.Equal(devices == 1 ? (0, 0) : (sent, received), (traffic.BytesSent, traffic.BytesReceived));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ReduceScatter_Lossy_DecodesAddsInFp32AndReencodesPerHop(CollectiveAlgorithm algorithm, LinkPrecision precision, int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 37) + width);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, devices).Select(r => TestData.Uniform(rows * width, seed: 70 + r, scale: 3f)).ToArray();
        var expected = ExpectedSums(algorithm, precision, partials, chunkRows, width);
        var exact = Enumerable.Range(0, rows * width).Select(i => partials.Sum(p => (double)p[i])).ToArray();

        foreach (var overlap in new[] { true, false })
        {
            await using var group = InProcessCollective.Create(devices);
            var key = RingHarness.Key(phase: CollectivePhase.MlpReduce);
            var reduced = new float[devices][];
            await RingHarness.RunAllAsync(group.Ranks, async rank =>
            {
                var r = rank.Rank;
                var output = reduced[r] = new float[chunkRows[r] * width];
                await Collectives.ReduceScatterAsync(algorithm, rank, key, chunkRows, width, (_, rowStart, rowCount, destination) =>
                {
                    partials[r].AsSpan(rowStart * width, rowCount * width).CopyTo(destination.Span);
                    return ValueTask.CompletedTask;
                }, output, tileRows, overlap, precision, TestContext.Current.CancellationToken);
            });

            for (var r = 0; r < devices; r++)
            {
                var start = RingHarness.RowStart(chunkRows, r) * width;
                Assert.Equal(Bits(expected.AsSpan(start, chunkRows[r] * width)), Bits(reduced[r]));

                // Each of the N − 1 encodings loses at most half a step of its (≤ 3·N-sized) values: 2⁻⁸ relative in
                // bf16, 1/254 of the row's largest magnitude in int8.
                var step = precision == LinkPrecision.Bf16 ? 1.0 / 256 : 1.0 / 254;
                var bound = Math.Max(devices - 1, 0) * step * 3 * devices;
                for (var i = 0; i < reduced[r].Length; i++)
                {
                    Assert.True(Math.Abs(reduced[r][i] - exact[start + i]) <= bound, $"rank {r}, element {i}: {reduced[r][i]} vs {exact[start + i]}");
                }

                var traffic = RingHarness.Traffic(group.Stats, r, key);
                var previous = RingHarness.Mod(r - 1, devices);
                var (sent, received) = algorithm == CollectiveAlgorithm.Ring
                    ? (Bytes(precision, rows - chunkRows[r], width), Bytes(precision, rows - chunkRows[previous], width))
                    : (Bytes(precision, rows - chunkRows[r], width), (devices - 1) * Bytes(precision, chunkRows[r], width));
                Assert.Equal(devices == 1 ? (0, 0) : (sent, received), (traffic.BytesSent, traffic.BytesReceived));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AllReduce_Lossy_EveryRankEndsWithTheSameBits(CollectiveAlgorithm algorithm, LinkPrecision precision, int devices, int width, int tileMode)
    {
        var chunkRows = RingHarness.UnevenChunks(devices, seed: (devices * 41) + width);
        var tileRows = RingHarness.TileRows(tileMode, chunkRows);
        var rows = chunkRows.Sum();
        var partials = Enumerable.Range(0, devices).Select(r => TestData.Uniform(rows * width, seed: 90 + r)).ToArray();
        var sums = ExpectedSums(algorithm, precision, partials, chunkRows, width);
        var expected = devices == 1 ? sums : RoundTrip(precision, sums, width);
        var data = partials.Select(p => (float[])p.Clone()).ToArray();
        await using var group = InProcessCollective.Create(devices);

        await RingHarness.RunAllAsync(group.Ranks, rank =>
            Collectives.AllReduceAsync(algorithm, rank, RingHarness.Key(), chunkRows, width, data[rank.Rank], tileRows, precision, TestContext.Current.CancellationToken));

        Assert.All(data, d => Assert.Equal(Bits(expected), Bits(d)));
    }

    [Fact]
    public async Task Ring_UndefinedPrecision_ThrowsBeforeSendingAnything()
    {
        await using var group = InProcessCollective.Create(2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            _ = Ring.AllGatherAsync(group.Ranks[0], RingHarness.Key(), [1, 1], 4, new float[8], null, 1, true, (LinkPrecision)3, TestContext.Current.CancellationToken);
        });

        Assert.Equal("precision", error.ParamName);
        Assert.Empty(group.Stats.Snapshot());
    }

    /// <summary>Encodes and decodes whole rows (tiles hold whole rows, and both codecs work row by row, so tiling does not matter).</summary>
    internal static float[] RoundTrip(LinkPrecision precision, ReadOnlySpan<float> values, int width)
    {
        var wire = new byte[TileCodec.EncodedBytes(precision, values.Length / width, width)];
        var back = new float[values.Length];
        TileCodec.Encode(precision, values, width, wire);
        TileCodec.Decode(precision, wire, width, back);
        return back;
    }

    /// <summary>
    /// Each rank's chunk as the collective sums it. Ring, chunk j: <c>s = p[j+1]; s = RT(s) + p[j+2]; …; s = RT(s) + p[j]</c>
    /// (RT = encode then decode, at every hop). Direct, chunk r: <c>((p[r] + RT(p[r−1])) + RT(p[r−2])) + …</c>.
    /// </summary>
    private static float[] ExpectedSums(CollectiveAlgorithm algorithm, LinkPrecision precision, float[][] partials, int[] chunkRows, int width)
    {
        var n = partials.Length;
        var total = new float[partials[0].Length];
        for (var j = 0; j < n; j++)
        {
            var start = RingHarness.RowStart(chunkRows, j) * width;
            var length = chunkRows[j] * width;
            float[] sum;
            if (algorithm == CollectiveAlgorithm.Ring)
            {
                sum = partials[RingHarness.Mod(j + 1, n)].AsSpan(start, length).ToArray();
                for (var step = 2; step <= n; step++)
                {
                    var hop = RoundTrip(precision, sum, width);
                    var own = partials[RingHarness.Mod(j + step, n)].AsSpan(start, length).ToArray();
                    sum = hop.Select((v, i) => v + own[i]).ToArray();
                }
            }
            else
            {
                sum = partials[j].AsSpan(start, length).ToArray();
                for (var offset = 1; offset < n; offset++)
                {
                    var incoming = RoundTrip(precision, partials[RingHarness.Mod(j - offset, n)].AsSpan(start, length), width);
                    sum = sum.Select((v, i) => v + incoming[i]).ToArray();
                }
            }

            sum.CopyTo(total, start);
        }

        return total;
    }

    private static long Bytes(LinkPrecision precision, int rows, int width) => TileCodec.EncodedBytes(precision, rows, width);

    private static int[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
