namespace Galaxy.Kernels.Parallel;

/// <summary>
/// One device's endpoint of the point-to-point links between the devices of a plan (ranks 0…Size−1).
/// Messages are tiles named by a <see cref="TileKey"/>: opaque bytes, the rows as the collectives encoded them for
/// the link (<see cref="TileCodec"/>), so an implementation only moves and counts bytes. A receive waits for the
/// tile with its key from its source, in whatever order tiles arrive. The in-process implementation connects
/// simulated devices through channels (with an optional link model); the cluster supplies one whose tiles
/// travel between silos.
/// </summary>
public interface ICollective
{
    /// <summary>This device's rank.</summary>
    int Rank { get; }

    /// <summary>Number of devices.</summary>
    int Size { get; }

    /// <summary>
    /// Sends <paramref name="data"/> to <paramref name="destination"/>. Completes once <paramref name="data"/>
    /// may be reused (it was copied or delivered); delivery itself may still be under way.
    /// </summary>
    ValueTask SendAsync(int destination, TileKey key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Receives the tile <paramref name="key"/> from <paramref name="source"/> into <paramref name="destination"/> (its exact length in bytes).</summary>
    /// <exception cref="InvalidDataException">The tile that arrived has another length.</exception>
    ValueTask ReceiveAsync(int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken = default);
}
