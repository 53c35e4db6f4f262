using System.Collections.Concurrent;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// The tiles of one request that reached one shard, matched to the shard's receives by (source rank, tile key)
/// in whatever order either comes. Deposits come from the grain's <c>ReceiveTileAsync</c>; receives from the
/// executor on the kernel side.
/// </summary>
internal sealed class TileInbox
{
    private readonly ConcurrentDictionary<(int Source, TileKey Key), TaskCompletionSource<byte[]>> _slots = new();
    private Exception? _failure;

    /// <summary>Hands a tile to its receive (now or when it comes).</summary>
    /// <exception cref="InvalidOperationException">The same tile arrived twice.</exception>
    public void Deposit(int source, TileKey key, byte[] payload)
    {
        if (!Slot(source, key).TrySetResult(payload) && _failure is null)
        {
            throw new InvalidOperationException($"Tile {key} from rank {source} arrived twice; tile keys must be unique.");
        }
    }

    /// <summary>Waits for the tile (source, key) and forgets it.</summary>
    public async Task<byte[]> TakeAsync(int source, TileKey key, CancellationToken cancellationToken)
    {
        var slot = Slot(source, key);
        try
        {
            return await slot.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.TryRemove((source, key), out _);
        }
    }

    /// <summary>Fails every receive, now and later (a peer failed or the request was given up).</summary>
    public void Fail(Exception failure)
    {
        _failure ??= failure;
        foreach (var slot in _slots.Values)
        {
            slot.TrySetException(_failure);
        }
    }

    private TaskCompletionSource<byte[]> Slot(int source, TileKey key)
    {
        var slot = _slots.GetOrAdd((source, key), _ => new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_failure is not null)
        {
            slot.TrySetException(_failure);
        }

        return slot;
    }
}
