using System.Collections.Concurrent;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// The tiles of one request that reached one shard, matched to the shard's receives by (source rank, tile key)
/// in whatever order either comes. Deposits come from a socket's receive loop (<see cref="TileSocketHub"/>) or the
/// grain's <c>ReceiveTileAsync</c>; receives from the executor on the kernel side.
/// </summary>
internal sealed class TileInbox
{
    private readonly ConcurrentDictionary<(int Source, TileKey Key), TaskCompletionSource<ReceivedTile>> _slots = new();
    private Exception? _failure;

    public TileInbox(long createdTimestamp) => CreatedTimestamp = createdTimestamp;

    /// <summary>When the inbox was made (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>): an unclaimed inbox that grew old is swept away.</summary>
    public long CreatedTimestamp { get; }

    /// <summary>Whether a run owns the inbox now (<see cref="TileInboxes.Claim"/>).</summary>
    public bool Claimed { get; set; }

    /// <summary>The tile endpoints of the peers whose tiles this request waits for: a dropped connection to one fails the request.</summary>
    public IReadOnlyCollection<string> Sources { get; set; } = [];

    /// <summary>Whether the inbox was failed.</summary>
    public bool Failed => _failure is not null;

    /// <summary>Hands a tile to its receive (now or when it comes); a failed inbox drops it.</summary>
    /// <exception cref="InvalidOperationException">The same tile arrived twice.</exception>
    public void Deposit(int source, TileKey key, ReceivedTile tile)
    {
        if (!Slot(source, key).TrySetResult(tile))
        {
            tile.Return();
            if (_failure is null)
            {
                throw new InvalidOperationException($"Tile {key} from rank {source} arrived twice; tile keys must be unique.");
            }
        }
    }

    /// <summary>Waits for the tile (source, key), copies it into <paramref name="destination"/> (its exact length) and forgets it.</summary>
    /// <exception cref="InvalidDataException">The tile has another length.</exception>
    public async ValueTask ReceiveAsync(int rank, int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var slot = Slot(source, key);
        ReceivedTile tile;
        try
        {
            tile = await slot.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.TryRemove((source, key), out _);
        }

        try
        {
            if (tile.Length != destination.Length)
            {
                throw new InvalidDataException($"Tile {key} from rank {source} has {tile.Length} bytes; rank {rank} expected {destination.Length}.");
            }

            tile.Buffer.AsSpan(0, tile.Length).CopyTo(destination.Span);
        }
        finally
        {
            tile.Return();
        }
    }

    /// <summary>Fails every receive, now and later (a peer failed, its connection dropped, or the request was given up).</summary>
    public void Fail(Exception failure)
    {
        _failure ??= failure;
        foreach (var slot in _slots.Values)
        {
            slot.TrySetException(_failure);
        }
    }

    /// <summary>Returns the pooled buffers of tiles nobody took (the request ended or was swept).</summary>
    public void Drain()
    {
        foreach (var (slotKey, slot) in _slots)
        {
            if (slot.Task.IsCompletedSuccessfully && _slots.TryRemove(slotKey, out _))
            {
                slot.Task.Result.Return();
            }
        }
    }

    private TaskCompletionSource<ReceivedTile> Slot(int source, TileKey key)
    {
        var slot = _slots.GetOrAdd((source, key), _ => new TaskCompletionSource<ReceivedTile>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_failure is not null)
        {
            slot.TrySetException(_failure);
        }

        return slot;
    }
}
