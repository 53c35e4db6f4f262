using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// N simulated devices in one process: <see cref="Ranks"/>[d] is device d's <see cref="ICollective"/>. A send
/// copies its tile into an array from the group's <see cref="ArrayPool{T}"/> and returns at once (the array goes
/// back once the receiver has copied it out); the tile reaches the destination's mailbox
/// directly, or, under a <see cref="LinkModel"/>, through the directed link source→destination, which carries
/// one message at a time (for as long as its bytes, as encoded, take). Receives match tiles by (source, key) in
/// any arrival order. Traffic is counted in <see cref="Stats"/>, in the bytes that crossed.
/// </summary>
public sealed class InProcessCollective : IAsyncDisposable, IDisposable
{
    // Sends never block, so many tiles can be in flight at once: more than ArrayPool<byte>.Shared keeps per size,
    // which would make it allocate. The group's own pool keeps up to 512 tiles (of up to 4 MB) per size class.
    private const int MaxPooledTileBytes = 1 << 22;
    private const int MaxPooledTilesPerSize = 512;

    private readonly ArrayPool<byte> _tilePool = ArrayPool<byte>.Create(MaxPooledTileBytes, MaxPooledTilesPerSize);
    private readonly TileMailbox[] _mailboxes;
    private readonly SimulatedLink?[,] _links;
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _disposed;

    private InProcessCollective(int devices, LinkModel? link)
    {
        Link = link;
        _mailboxes = new TileMailbox[devices];
        for (var d = 0; d < devices; d++)
        {
            _mailboxes[d] = new TileMailbox(d);
        }

        _links = new SimulatedLink?[devices, devices];
        if (link is not null)
        {
            for (var source = 0; source < devices; source++)
            {
                for (var destination = 0; destination < devices; destination++)
                {
                    if (source != destination)
                    {
                        _links[source, destination] = new SimulatedLink(link, source, _mailboxes[destination], _stopping.Token);
                    }
                }
            }
        }

        var ranks = new ICollective[devices];
        for (var d = 0; d < devices; d++)
        {
            ranks[d] = new Endpoint(this, d);
        }

        Ranks = ranks;
    }

    /// <summary>Each device's endpoint, indexed by rank.</summary>
    public IReadOnlyList<ICollective> Ranks { get; }

    /// <summary>Number of devices.</summary>
    public int Size => _mailboxes.Length;

    /// <summary>The model every directed link follows, or <see langword="null"/> for instant delivery.</summary>
    public LinkModel? Link { get; }

    /// <summary>Bytes, messages and receive waits per rank, layer and phase.</summary>
    public CollectiveStats Stats { get; } = new();

    /// <summary>
    /// Creates <paramref name="devices"/> connected ranks. With a <paramref name="link"/>, each of the
    /// N·(N−1) directed links delivers its messages one after another, each taking
    /// <c>latency + bytes / bandwidth</c>; a rank sending to itself is always instant.
    /// </summary>
    public static InProcessCollective Create(int devices, LinkModel? link = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        return new InProcessCollective(devices, link);
    }

    /// <summary>
    /// Fails every pending receive with <see cref="ObjectDisposedException"/>, drops undelivered tiles and
    /// stops the link pumps without waiting for them; later sends and receives throw.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var link in _links)
        {
            link?.Complete();
        }

        _stopping.Cancel();
        foreach (var mailbox in _mailboxes)
        {
            mailbox.Close();
        }
    }

    /// <summary><see cref="Dispose"/>, then waits until every link pump has exited (promptly: they are cancelled).</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        foreach (var link in _links)
        {
            if (link is not null)
            {
                await link.Pump.ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
    }

    private void Send(int source, int destination, TileKey key, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRank(destination, nameof(destination));
        var tile = PooledTile.CopyOf(data, _tilePool);
        Stats.RecordSend(source, key, data.Length);
        if (_links[source, destination] is { } link)
        {
            link.Enqueue(key, tile);
        }
        else
        {
            _mailboxes[destination].Deposit(source, key, tile);
        }
    }

    private ValueTask ReceiveAsync(int rank, int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRank(source, nameof(source));
        if (_mailboxes[rank].TryTake(source, key, out var tile, out var waiter))
        {
            CopyOut(rank, source, key, tile, destination.Span, waitTicks: 0);
            return ValueTask.CompletedTask;
        }

        return WaitAsync(rank, source, key, waiter!, destination, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitAsync(int rank, int source, TileKey key, TileMailbox.Waiter waiter, Memory<byte> destination, CancellationToken cancellationToken)
    {
        PooledTile tile;
        using (cancellationToken.UnsafeRegister(static (state, token) => ((TileMailbox.Waiter)state!).Cancel(token), waiter))
        {
            tile = await waiter.Task.ConfigureAwait(false);
        }

        // Completed and no callback can reach it any more: the waiter may serve another receive.
        var waitTicks = Stopwatch.GetTimestamp() - waiter.StartTimestamp;
        waiter.Release();
        CopyOut(rank, source, key, tile, destination.Span, waitTicks);
    }

    private void CopyOut(int rank, int source, TileKey key, PooledTile tile, Span<byte> destination, long waitTicks)
    {
        try
        {
            if (tile.Length != destination.Length)
            {
                throw new InvalidDataException(
                    $"Rank {rank} received tile {key} from rank {source} with {tile.Length} bytes, but the receive expects {destination.Length}.");
            }

            tile.Buffer.AsSpan(0, tile.Length).CopyTo(destination);
        }
        finally
        {
            tile.Return();
        }

        Stats.RecordReceive(rank, key, tile.Length, waitTicks);
    }

    private void CheckRank(int rank, string name)
    {
        if ((uint)rank >= (uint)Size)
        {
            throw new ArgumentOutOfRangeException(name, rank, $"Ranks are 0…{Size - 1}.");
        }
    }

    private sealed class Endpoint(InProcessCollective group, int rank) : ICollective
    {
        public int Rank => rank;

        public int Size => group.Size;

        public ValueTask SendAsync(int destination, TileKey key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            try
            {
                group.Send(rank, destination, key, data.Span);
                return ValueTask.CompletedTask;
            }
            catch (Exception error) when (error is not ArgumentException)
            {
                return ValueTask.FromException(error);
            }
        }

        public ValueTask ReceiveAsync(int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            try
            {
                return group.ReceiveAsync(rank, source, key, destination, cancellationToken);
            }
            catch (Exception error) when (error is not ArgumentException)
            {
                return ValueTask.FromException(error);
            }
        }

        public override string ToString() => $"in-process rank {rank} of {group.Size}";
    }
}
