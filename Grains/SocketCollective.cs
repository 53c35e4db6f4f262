using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// The <see cref="ICollective"/> of one shard in one request over the silos' <see cref="TileSocketHub"/>s: a send is one
/// frame on this silo's persistent connection to the peer's silo (completing once the bytes are in the socket), a
/// receive waits in the request's <see cref="TileInbox"/>, which the peer silo's receive loop fills.
/// </summary>
/// <param name="rank">This shard's rank.</param>
/// <param name="hub">This silo's hub.</param>
/// <param name="peers">Per rank, the peer shard and its silo's tile endpoint (null at this shard's own rank).</param>
/// <param name="inbox">This request's inbox on this shard.</param>
internal sealed class SocketCollective(int rank, TileSocketHub hub, IReadOnlyList<TilePeer?> peers, TileInbox inbox) : ICollective
{
    public int Rank => rank;

    public int Size => peers.Count;

    public ValueTask SendAsync(int destination, TileKey key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var peer = peers[destination] ?? throw new ArgumentException($"Rank {rank} cannot send tile {key} to itself.", nameof(destination));
        return hub.SendAsync(peer, key, rank, data, cancellationToken);
    }

    public ValueTask ReceiveAsync(int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        inbox.ReceiveAsync(rank, source, key, destination, cancellationToken);
}
