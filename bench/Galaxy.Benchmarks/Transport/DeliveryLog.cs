using System.Collections.Concurrent;
using System.Diagnostics;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// Where receivers note each payload's arrival. Both silos live in this process, so a sender's
/// <see cref="Stopwatch"/> timestamp and the receiver's arrival timestamp share one clock; the driver
/// reads latencies and burst times from here without another grain call. Bench-only: a real cluster has
/// one process per device.
/// </summary>
public static class DeliveryLog
{
    private static readonly ConcurrentDictionary<int, DeliveryRun> Runs = new();
    private static int _nextRunId;

    /// <summary>Opens a run expecting sequence numbers 0 … <paramref name="capacity"/> − 1, each carrying <paramref name="expected"/>.</summary>
    public static DeliveryRun Open(int capacity, ReadOnlySpan<float> expected)
    {
        var run = new DeliveryRun(Interlocked.Increment(ref _nextRunId), capacity, expected.Length, TransportValues.Fingerprint(expected));
        Runs[run.Id] = run;
        return run;
    }

    public static void Close(DeliveryRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Runs.TryRemove(run.Id, out _);
    }

    /// <summary>Called by receivers after the arrival timestamp is taken; a payload of an unknown (closed) run is ignored.</summary>
    public static void Arrived(int runId, int sequence, long sentTimestamp, ReadOnlySpan<float> values)
    {
        var now = Stopwatch.GetTimestamp();
        if (Runs.TryGetValue(runId, out var run))
        {
            var intact = values.Length == run.ExpectedLength && TransportValues.Fingerprint(values) == run.ExpectedFingerprint;
            run.Record(sequence, sentTimestamp, now, intact);
        }
    }
}
