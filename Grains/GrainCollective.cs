using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// The <see cref="ICollective"/> of one shard in one request: a send is one <see cref="IShardGrain.ReceiveTileAsync"/>
/// call on the peer carrying the tile's bytes as the collectives encoded them for the link (the plan's link
/// precision), the executor keeping a small window of them in flight per collective; a receive waits in the
/// request's <see cref="TileInbox"/>.
/// </summary>
internal sealed class GrainCollective(int rank, IReadOnlyList<IShardGrain> peers, TileInbox inbox) : ICollective
{
    public int Rank => rank;

    public int Size => peers.Count;

    public ValueTask SendAsync(int destination, TileKey key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        // The message owns a copy, so the caller may reuse its buffer as soon as this returns; the call's task tracks delivery.
        var tile = new TileMessage(key.RequestId, key.Layer, (int)key.Phase, key.Step, key.Tile, rank, data.ToArray());
        return new ValueTask(peers[destination].ReceiveTileAsync(tile));
    }

    public ValueTask ReceiveAsync(int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        inbox.ReceiveAsync(rank, source, key, destination, cancellationToken);
}
