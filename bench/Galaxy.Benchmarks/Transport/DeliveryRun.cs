using System.Diagnostics;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// Arrivals of one run: per sequence number the send and arrival timestamps, a delivered count, and a
/// signal the driver waits on with a bound (a dropped payload never arrives).
/// </summary>
public sealed class DeliveryRun
{
    private readonly long[] _sent;
    private readonly long[] _arrived;
    private readonly Lock _gate = new();
    private int _delivered;
    private int _corrupt;
    private long _lastArrival;
    private TaskCompletionSource _progress = NewSignal();

    public DeliveryRun(int id, int capacity, int expectedLength, long expectedFingerprint)
    {
        Id = id;
        ExpectedLength = expectedLength;
        ExpectedFingerprint = expectedFingerprint;
        _sent = new long[capacity];
        _arrived = new long[capacity];
    }

    public int Id { get; }

    public int ExpectedLength { get; }

    public long ExpectedFingerprint { get; }

    public int Delivered => Volatile.Read(ref _delivered);

    /// <summary>Payloads that arrived with the wrong length or fingerprint (they count as delivered too).</summary>
    public int Corrupt => Volatile.Read(ref _corrupt);

    internal void Record(int sequence, long sentTimestamp, long arrivalTimestamp, bool intact)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if ((uint)sequence >= (uint)_arrived.Length || _arrived[sequence] != 0)
            {
                return;
            }

            _sent[sequence] = sentTimestamp;
            _arrived[sequence] = arrivalTimestamp;
            _lastArrival = Math.Max(_lastArrival, arrivalTimestamp);
            _corrupt += intact ? 0 : 1;
            _delivered++;
            signal = _progress;
            _progress = NewSignal();
        }

        signal.TrySetResult();
    }

    /// <summary>
    /// Waits until <paramref name="count"/> payloads have arrived, or nothing arrived for
    /// <paramref name="idle"/>, or <paramref name="deadline"/> passed; returns whether all arrived.
    /// </summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan idle, DateTime deadline)
    {
        while (true)
        {
            Task progress;
            lock (_gate)
            {
                if (_delivered >= count)
                {
                    return true;
                }

                progress = _progress.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            var wait = left < idle ? left : idle;
            if (await Task.WhenAny(progress, Task.Delay(wait)).ConfigureAwait(false) != progress)
            {
                return Delivered >= count;
            }
        }
    }

    /// <summary>Milliseconds from send to arrival of each delivered payload in [first, first + count).</summary>
    public List<double> LatenciesMs(int first, int count)
    {
        var result = new List<double>(count);
        lock (_gate)
        {
            for (var i = first; i < first + count && i < _arrived.Length; i++)
            {
                if (_arrived[i] != 0)
                {
                    result.Add(Stopwatch.GetElapsedTime(_sent[i], _arrived[i]).TotalMilliseconds);
                }
            }
        }

        return result;
    }

    /// <summary>Timestamp of the latest arrival so far (0 if none).</summary>
    public long LastArrival
    {
        get
        {
            lock (_gate)
            {
                return _lastArrival;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
