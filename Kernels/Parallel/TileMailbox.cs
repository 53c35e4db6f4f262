using System.Diagnostics;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The tiles that arrived at one rank and the receives waiting at it, matched by (source, key) in whatever
/// order they come. A tile that arrives first waits in <c>_tiles</c>; a receive that comes first waits in
/// <c>_waiters</c> until its tile is deposited. Nothing polls.
/// </summary>
internal sealed class TileMailbox(int rank)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(int Source, TileKey Key), PooledTile> _tiles = [];
    private readonly Dictionary<(int Source, TileKey Key), Waiter> _waiters = [];
    private bool _closed;
    private Exception? _fault;

    /// <summary>Hands a tile to its waiting receive, or keeps it until that receive comes.</summary>
    /// <exception cref="InvalidOperationException">A tile with the same source and key is already waiting.</exception>
    public void Deposit(int source, TileKey key, PooledTile tile)
    {
        Waiter? waiter;
        InvalidOperationException? duplicate = null;
        lock (_lock)
        {
            if (_closed || _fault is not null)
            {
                tile.Return();
                return;
            }

            if (!_waiters.Remove((source, key), out waiter) && !_tiles.TryAdd((source, key), tile))
            {
                tile.Return();
                duplicate = new InvalidOperationException(
                    $"Rank {rank} got tile {key} from rank {source} twice before receiving it; tile keys must be unique.");
                _fault = duplicate;
            }
        }

        if (duplicate is not null)
        {
            FailWaiters();
            throw duplicate;
        }

        waiter?.TrySetResult(tile);
    }

    /// <summary>Takes the tile if it is there; otherwise registers and returns a waiter that completes with it.</summary>
    public bool TryTake(int source, TileKey key, out PooledTile tile, out Waiter? waiter)
    {
        lock (_lock)
        {
            ThrowIfUnusable();
            if (_tiles.Remove((source, key), out tile))
            {
                waiter = null;
                return true;
            }

            waiter = new Waiter(this, (source, key));
            if (!_waiters.TryAdd((source, key), waiter))
            {
                throw new InvalidOperationException($"Rank {rank} already has a receive waiting for tile {key} from rank {source}.");
            }

            return false;
        }
    }

    /// <summary>Fails every waiting receive and drops every undelivered tile; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Close()
    {
        List<PooledTile> tiles;
        lock (_lock)
        {
            _closed = true;
            tiles = [.. _tiles.Values];
            _tiles.Clear();
        }

        foreach (var tile in tiles)
        {
            tile.Return();
        }

        FailWaiters();
    }

    private void FailWaiters()
    {
        List<Waiter> waiters;
        lock (_lock)
        {
            waiters = [.. _waiters.Values];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetException(CreateUnusableException());
        }
    }

    private void ThrowIfUnusable()
    {
        if (_closed || _fault is not null)
        {
            throw CreateUnusableException();
        }
    }

    private Exception CreateUnusableException() => _fault is { } fault
        ? new InvalidOperationException($"Rank {rank}'s mailbox failed: {fault.Message}", fault)
        : new ObjectDisposedException(nameof(InProcessCollective), $"Rank {rank}'s collective was disposed.");

    /// <summary>Removes a waiter whose receive was cancelled, unless its tile already claimed it.</summary>
    private bool TryWithdraw(Waiter waiter)
    {
        lock (_lock)
        {
            return _waiters.TryGetValue(waiter.Slot, out var current)
                && ReferenceEquals(current, waiter)
                && _waiters.Remove(waiter.Slot);
        }
    }

    /// <summary>
    /// One receive waiting for its tile. Whoever removes it from the mailbox (the tile's deposit or the
    /// receive's cancellation, both under the lock) completes it, so a tile is never lost to a cancelled receive.
    /// </summary>
    internal sealed class Waiter(TileMailbox mailbox, (int Source, TileKey Key) slot)
        : TaskCompletionSource<PooledTile>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public (int Source, TileKey Key) Slot { get; } = slot;

        public long StartTimestamp { get; } = Stopwatch.GetTimestamp();

        public void Cancel(CancellationToken cancellationToken)
        {
            if (mailbox.TryWithdraw(this))
            {
                TrySetCanceled(cancellationToken);
            }
        }
    }
}
