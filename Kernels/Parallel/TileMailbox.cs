using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The tiles that arrived at one rank and the receives waiting at it, matched by (source, key) in whatever
/// order they come. A tile that arrives first waits in <c>_tiles</c>; a receive that comes first waits in
/// <c>_waiters</c> until its tile is deposited. Nothing polls; waiters are pooled, so a receive that has to
/// wait allocates nothing once the pool is warm.
/// </summary>
internal sealed class TileMailbox(int rank)
{
    private const int PooledWaiters = 64;

    private readonly Lock _lock = new();
    private readonly Dictionary<(int Source, TileKey Key), PooledTile> _tiles = [];
    private readonly Dictionary<(int Source, TileKey Key), Waiter> _waiters = [];
    private readonly Stack<Waiter> _idle = new();
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

        waiter?.Complete(tile);
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

            if (_waiters.ContainsKey((source, key)))
            {
                throw new InvalidOperationException($"Rank {rank} already has a receive waiting for tile {key} from rank {source}.");
            }

            waiter = _idle.TryPop(out var idle) ? idle : new Waiter(this);
            waiter.Arm((source, key));
            _waiters.Add((source, key), waiter);
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
            waiter.Fail(CreateUnusableException());
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

    private void Recycle(Waiter waiter)
    {
        lock (_lock)
        {
            if (_idle.Count < PooledWaiters)
            {
                _idle.Push(waiter);
            }
        }
    }

    /// <summary>
    /// One receive waiting for its tile, awaited as a <see cref="ValueTask{TResult}"/>. Whoever removes it from
    /// the mailbox (the tile's deposit, the receive's cancellation or the mailbox's closing, each under the lock)
    /// completes it, exactly once, so a tile is never lost to a cancelled receive. The receive hands it back with
    /// <see cref="Release"/> after it has taken the result and dropped its cancellation registration.
    /// </summary>
    internal sealed class Waiter(TileMailbox mailbox) : IValueTaskSource<PooledTile>
    {
        private ManualResetValueTaskSourceCore<PooledTile> _core = new() { RunContinuationsAsynchronously = true };

        public (int Source, TileKey Key) Slot { get; private set; }

        public long StartTimestamp { get; private set; }

        /// <summary>The receive's view of this waiter for its current use.</summary>
        public ValueTask<PooledTile> Task => new(this, _core.Version);

        public void Arm((int Source, TileKey Key) slot)
        {
            _core.Reset();
            Slot = slot;
            StartTimestamp = Stopwatch.GetTimestamp();
        }

        public void Complete(PooledTile tile) => _core.SetResult(tile);

        public void Fail(Exception error) => _core.SetException(error);

        public void Cancel(CancellationToken cancellationToken)
        {
            if (mailbox.TryWithdraw(this))
            {
                _core.SetException(new OperationCanceledException(cancellationToken));
            }
        }

        public void Release() => mailbox.Recycle(this);

        public PooledTile GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
