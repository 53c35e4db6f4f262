using System.Collections.Concurrent;
using System.Diagnostics;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Traffic counters of a group of ranks, per (rank, layer, phase). Updates are lock-free and may come from
/// any thread; <see cref="Snapshot"/> reads every counter atomically, so a snapshot taken while tiles are
/// moving may mix instants across counters but never tears one.
/// </summary>
public sealed class CollectiveStats
{
    private readonly ConcurrentDictionary<(int Rank, int Layer, CollectivePhase Phase), Counters> _counters = new();

    /// <summary>Counts one tile of <paramref name="byteCount"/> bytes (as it crossed the link) sent by <paramref name="rank"/>.</summary>
    public void RecordSend(int rank, TileKey key, int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        var counters = For(rank, key);
        Interlocked.Add(ref counters.BytesSent, byteCount);
        Interlocked.Increment(ref counters.MessagesSent);
    }

    /// <summary>
    /// Counts one tile of <paramref name="byteCount"/> bytes received by <paramref name="rank"/>, whose
    /// receive waited <paramref name="waitTicks"/> <see cref="Stopwatch"/> ticks for it (0 if it was there).
    /// </summary>
    public void RecordReceive(int rank, TileKey key, int byteCount, long waitTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        ArgumentOutOfRangeException.ThrowIfNegative(waitTicks);
        var counters = For(rank, key);
        Interlocked.Add(ref counters.BytesReceived, byteCount);
        Interlocked.Increment(ref counters.MessagesReceived);
        Interlocked.Add(ref counters.WaitTicks, waitTicks);
    }

    /// <summary>The counters so far, ordered by rank, layer and phase.</summary>
    public IReadOnlyList<CollectiveTraffic> Snapshot() =>
        _counters
            .OrderBy(p => p.Key.Rank).ThenBy(p => p.Key.Layer).ThenBy(p => p.Key.Phase)
            .Select(p => new CollectiveTraffic(
                p.Key.Rank,
                p.Key.Layer,
                p.Key.Phase,
                Interlocked.Read(ref p.Value.BytesSent),
                Interlocked.Read(ref p.Value.BytesReceived),
                Interlocked.Read(ref p.Value.MessagesSent),
                Interlocked.Read(ref p.Value.MessagesReceived),
                Stopwatch.GetElapsedTime(0, Interlocked.Read(ref p.Value.WaitTicks))))
            .ToList();

    /// <summary>Forgets all counters (e.g. between a warm-up and a measured run).</summary>
    public void Reset() => _counters.Clear();

    private Counters For(int rank, TileKey key) => _counters.GetOrAdd((rank, key.Layer, key.Phase), static _ => new Counters());

    private sealed class Counters
    {
        public long BytesSent;
        public long BytesReceived;
        public long MessagesSent;
        public long MessagesReceived;
        public long WaitTicks;
    }
}
