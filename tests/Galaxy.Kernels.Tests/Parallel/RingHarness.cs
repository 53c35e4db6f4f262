using Galaxy.Kernels.Parallel;

namespace Galaxy.Kernels.Tests.Parallel;

/// <summary>Shapes, keys and a runner shared by the ring tests.</summary>
internal static class RingHarness
{
    /// <summary>Fails a test that deadlocks instead of hanging the suite; not a timing assertion.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>Tile mode 0 means "a whole chunk per tile" (the largest chunk's rows).</summary>
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        for (var devices = 1; devices <= 6; devices++)
        {
            foreach (var width in new[] { 1, 7, 64 })
            {
                foreach (var tileMode in new[] { 1, 3, 0 })
                {
                    data.Add(devices, width, tileMode);
                }
            }
        }

        return data;
    }

    /// <summary>Uneven rows per device in 0…6, with at least one empty chunk once there are 3 devices.</summary>
    public static int[] UnevenChunks(int devices, int seed)
    {
        var random = new Random(seed);
        var rows = new int[devices];
        for (var d = 0; d < devices; d++)
        {
            rows[d] = random.Next(0, 7);
        }

        if (devices >= 3)
        {
            rows[random.Next(devices)] = 0;
        }

        if (rows.Sum() == 0)
        {
            rows[^1] = 3;
        }

        return rows;
    }

    public static int TileRows(int tileMode, int[] chunkRows) => tileMode == 0 ? Math.Max(1, chunkRows.Max()) : tileMode;

    public static TileKey Key(long requestId = 7, int layer = 2, CollectivePhase phase = CollectivePhase.AttentionReduce) =>
        new(requestId, layer, phase, 0, 0);

    /// <summary>Runs <paramref name="body"/> for every rank at once, each on its own thread-pool flow.</summary>
    public static Task RunAllAsync(IReadOnlyList<ICollective> ranks, Func<ICollective, Task> body) =>
        Task.WhenAll(ranks.Select(rank => Task.Run(() => body(rank)))).WaitAsync(HangGuard);

    public static int Mod(int value, int n) => ((value % n) + n) % n;

    public static int RowStart(int[] chunkRows, int chunk) => chunkRows.Take(chunk).Sum();

    public static int TileCount(int rows, int tileRows) => (rows + tileRows - 1) / tileRows;

    /// <summary>Total traffic of one rank for one key's (layer, phase).</summary>
    public static (long BytesSent, long BytesReceived, long MessagesSent, long MessagesReceived) Traffic(CollectiveStats stats, int rank, TileKey key)
    {
        var rows = stats.Snapshot().Where(t => t.Rank == rank && t.Layer == key.Layer && t.Phase == key.Phase).ToList();
        return (rows.Sum(t => t.BytesSent), rows.Sum(t => t.BytesReceived), rows.Sum(t => t.MessagesSent), rows.Sum(t => t.MessagesReceived));
    }

    /// <summary>Messages to move the chunks <paramref name="chunks"/>: one per tile, none for an empty chunk.</summary>
    public static long Messages(int[] chunkRows, int tileRows, IEnumerable<int> chunks) => chunks.Sum(j => (long)TileCount(chunkRows[j], tileRows));

    /// <summary>Rank <paramref name="rank"/>'s partial sums of the whole sequence (S × width), integer-valued so sums are exact.</summary>
    public static float[] IntegerPartials(int rank, int rows, int width)
    {
        var values = new float[rows * width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((((rank * 7919) + (i * 31)) % 2001) - 1000);
        }

        return values;
    }

    /// <summary>
    /// The total the ring computes, in its documented order: chunk j's rows are
    /// <c>((p[j+1] + p[j+2]) + …) + p[j]</c>, ranks mod N, in float.
    /// </summary>
    public static float[] RingOrderSum(float[][] partials, int[] chunkRows, int width)
    {
        var n = partials.Length;
        var total = new float[partials[0].Length];
        for (var j = 0; j < n; j++)
        {
            var start = RowStart(chunkRows, j) * width;
            for (var i = start; i < start + (chunkRows[j] * width); i++)
            {
                var sum = partials[Mod(j + 1, n)][i];
                for (var step = 2; step <= n; step++)
                {
                    sum += partials[Mod(j + step, n)][i];
                }

                total[i] = sum;
            }
        }

        return total;
    }
}
