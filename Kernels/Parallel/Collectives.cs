namespace Galaxy.Kernels.Parallel;

/// <summary>The collectives of <see cref="Ring"/> or <see cref="Direct"/>, chosen by a <see cref="CollectiveAlgorithm"/>; same arguments and results.</summary>
public static class Collectives
{
    /// <summary><see cref="Ring.AllGatherAsync"/> or <see cref="Direct.AllGatherAsync"/>.</summary>
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
        CancellationToken cancellationToken = default) => algorithm switch
        {
            CollectiveAlgorithm.Ring => Ring.AllGatherAsync(collective, key, chunkRows, width, gathered, onRowsReady, tileRows, overlap, cancellationToken),
            CollectiveAlgorithm.Direct => Direct.AllGatherAsync(collective, key, chunkRows, width, gathered, onRowsReady, tileRows, overlap, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown collective algorithm."),
        };

    /// <summary><see cref="Ring.ReduceScatterAsync"/> or <see cref="Direct.ReduceScatterAsync"/>.</summary>
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
        CancellationToken cancellationToken = default) => algorithm switch
        {
            CollectiveAlgorithm.Ring => Ring.ReduceScatterAsync(collective, key, chunkRows, width, producePartial, reduced, tileRows, overlap, cancellationToken),
            CollectiveAlgorithm.Direct => Direct.ReduceScatterAsync(collective, key, chunkRows, width, producePartial, reduced, tileRows, overlap, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown collective algorithm."),
        };

    /// <summary><see cref="Ring.AllReduceAsync"/> or <see cref="Direct.AllReduceAsync"/>.</summary>
    public static Task AllReduceAsync(
        CollectiveAlgorithm algorithm,
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Memory<float> data,
        int tileRows,
        CancellationToken cancellationToken = default) => algorithm switch
        {
            CollectiveAlgorithm.Ring => Ring.AllReduceAsync(collective, key, chunkRows, width, data, tileRows, cancellationToken),
            CollectiveAlgorithm.Direct => Direct.AllReduceAsync(collective, key, chunkRows, width, data, tileRows, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown collective algorithm."),
        };
}
