using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Galaxy.Grains;

/// <summary>
/// The silo's <see cref="TileInbox"/>es, keyed by (shard grain key, request id). Both transports deposit here, so a
/// tile that arrives before its shard started the request waits in an inbox the deposit creates; the run claims it
/// and releases it when it ends. Inboxes nobody claimed (tiles of a request given up before it reached this shard)
/// are swept once they are older than twice the request timeout.
/// </summary>
public sealed class TileInboxes(IOptions<GalaxyDeviceOptions> options)
{
    private readonly ConcurrentDictionary<(string Shard, long RequestId), TileInbox> _inboxes = new();
    private long _lastSweep = Stopwatch.GetTimestamp();

    /// <summary>Number of inboxes held now (tests watch it return to zero).</summary>
    public int Count => _inboxes.Count;

    /// <summary>The inbox of (<paramref name="shard"/>, <paramref name="requestId"/>), made on first use.</summary>
    internal TileInbox Of(string shard, long requestId) =>
        _inboxes.GetOrAdd((shard, requestId), static _ => new TileInbox(Stopwatch.GetTimestamp()));

    /// <summary>The run of <paramref name="requestId"/> on <paramref name="shard"/> takes its inbox, waiting for tiles from the peers at <paramref name="sources"/>.</summary>
    internal TileInbox Claim(string shard, long requestId, IReadOnlyCollection<string> sources)
    {
        SweepIfDue();
        var inbox = Of(shard, requestId);
        inbox.Sources = sources;
        inbox.Claimed = true;
        return inbox;
    }

    /// <summary>The run ended: forget its inbox and return the buffers of tiles it never took.</summary>
    internal void Release(string shard, long requestId)
    {
        if (_inboxes.TryRemove((shard, requestId), out var inbox))
        {
            inbox.Drain();
        }
    }

    /// <summary>Fails the claimed inboxes that wait for tiles from <paramref name="endpoint"/> (its connection dropped).</summary>
    /// <returns>How many requests failed.</returns>
    internal int FailFrom(string endpoint, Exception failure)
    {
        var failed = 0;
        foreach (var inbox in _inboxes.Values)
        {
            if (inbox.Claimed && !inbox.Failed && inbox.Sources.Contains(endpoint))
            {
                inbox.Fail(failure);
                failed++;
            }
        }

        return failed;
    }

    private void SweepIfDue()
    {
        var age = options.Value.RequestTimeout * 2;
        var last = Interlocked.Read(ref _lastSweep);
        if (Stopwatch.GetElapsedTime(last) < age || Interlocked.CompareExchange(ref _lastSweep, Stopwatch.GetTimestamp(), last) != last)
        {
            return;
        }

        foreach (var (key, inbox) in _inboxes)
        {
            if (!inbox.Claimed && Stopwatch.GetElapsedTime(inbox.CreatedTimestamp) > age && _inboxes.TryRemove(key, out _))
            {
                inbox.Fail(new TimeoutException($"Request {key.RequestId} never started on shard '{key.Shard}'."));
                inbox.Drain();
            }
        }
    }
}
