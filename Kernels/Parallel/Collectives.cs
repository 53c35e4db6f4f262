namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The collectives of <see cref="Ring"/> or <see cref="Direct"/>, chosen by a <see cref="CollectiveAlgorithm"/>; same
/// arguments and results, with the tiles encoded on the links as <see cref="LinkPrecision"/> says (fp32 by default).
/// </summary>
public static class Collectives
{
    /// <summary><see cref="Ring.AllGatherAsync(ICollective, TileKey, int[], int, Memory{float}, Func{int, int, int, ValueTask}?, int, bool, LinkPrecision, CancellationToken)"/> or <see cref="Direct.AllGatherAsync(ICollective, TileKey, int[], int, Memory{float}, Func{int, int, int, ValueTask}?, int, bool, LinkPrecision, CancellationToken)"/>.</summary>
    public static Task AllGatherAsync(
        CollectiveAlgorithm algorithm,
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Memory<float> gathered,
        Func<int, int, int, ValueTask>? onRowsReady,
        int tileRows,
        bool overlap,
        LinkPrecision precision = LinkPrecision.Fp32,
        CancellationToken cancellationToken = default) => algorithm switch
        {
            CollectiveAlgorithm.Ring => Ring.AllGatherAsync(collective, key, chunkRows, width, gathered, onRowsReady, tileRows, overlap, precision, cancellationToken),
            CollectiveAlgorithm.Direct => Direct.AllGatherAsync(collective, key, chunkRows, width, gathered, onRowsReady, tileRows, overlap, precision, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown collective algorithm."),
        };

    /// <summary><see cref="Ring.ReduceScatterAsync(ICollective, TileKey, int[], int, Func{int, int, int, Memory{float}, ValueTask}, Memory{float}, int, bool, LinkPrecision, CancellationToken)"/> or <see cref="Direct.ReduceScatterAsync(ICollective, TileKey, int[], int, Func{int, int, int, Memory{float}, ValueTask}, Memory{float}, int, bool, LinkPrecision, CancellationToken)"/>.</summary>
    public static Task ReduceScatterAsync(
        CollectiveAlgorithm algorithm,
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Func<int, int, int, Memory<float>, ValueTask> producePartial,
        Memory<float> reduced,
        int tileRows,
        bool overlap,
        LinkPrecision precision = LinkPrecision.Fp32,
        CancellationToken cancellationToken = default) => algorithm switch
        {
            CollectiveAlgorithm.Ring => Ring.ReduceScatterAsync(collective, key, chunkRows, width, producePartial, reduced, tileRows, overlap, precision, cancellationToken),
            CollectiveAlgorithm.Direct => Direct.ReduceScatterAsync(collective, key, chunkRows, width, producePartial, reduced, tileRows, overlap, precision, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown collective algorithm."),
        };

    /// <summary><see cref="Ring.AllReduceAsync(ICollective, TileKey, int[], int, Memory{float}, int, LinkPrecision, CancellationToken)"/> or <see cref="Direct.AllReduceAsync(ICollective, TileKey, int[], int, Memory{float}, int, LinkPrecision, CancellationToken)"/>.</summary>
    public static Task AllReduceAsync(
        CollectiveAlgorithm algorithm,
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Memory<float> data,
        int tileRows,
        LinkPrecision precision = LinkPrecision.Fp32,
        CancellationToken cancellationToken = default) => algorithm switch
        {
            CollectiveAlgorithm.Ring => Ring.AllReduceAsync(collective, key, chunkRows, width, data, tileRows, precision, cancellationToken),
            CollectiveAlgorithm.Direct => Direct.AllReduceAsync(collective, key, chunkRows, width, data, tileRows, precision, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown collective algorithm."),
        };
}
