using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>
/// Event times of one layer's collectives on n ranks, as <see cref="Ring"/> and <see cref="Direct"/> schedule them:
/// per rank, the time it is ready for the next block, when its outgoing link is free again, and the link time it
/// spent. A message of b bytes from r to k keeps r's link busy b · secondsPerByte[r, k] and lands latency[r, k] later;
/// an empty chunk sends nothing. GEMM tiles of chunk j cost <c>blockCompute[r] · fraction[j]</c> on rank r.
/// </summary>
/// <remarks>
/// Messages also cost CPU: m_r(b) = messageSeconds[r] + b · byteSeconds[r] on the sender r (serialising, before the
/// message leaves) and m_k(b) on the receiver k (deserialising, before the data can be used or forwarded). The ranks'
/// CPU is one serial resource: that time is added to the rank's compute cursor as well, so it delays the GEMM tiles it
/// competes with (the kernels keep every core of the device busy; a message's handling is taken from them).
/// </remarks>
internal sealed class CollectiveTimeline
{
    private readonly int _n;
    private readonly double[,] _secondsPerByte;
    private readonly double[,] _latency;
    private readonly double[] _messageSeconds;
    private readonly double[] _byteSeconds;
    private readonly double[,] _arrival;
    private readonly double[] _cursor;
    private readonly double[] _next;
    private readonly double[] _forward;

    public CollectiveTimeline(double[,] secondsPerByte, double[,] latency, double[] messageSeconds, double[] byteSeconds)
    {
        _n = secondsPerByte.GetLength(0);
        _secondsPerByte = secondsPerByte;
        _latency = latency;
        _messageSeconds = messageSeconds;
        _byteSeconds = byteSeconds;
        _arrival = new double[_n, _n];
        _cursor = new double[_n];
        _next = new double[_n];
        _forward = new double[_n];
        Ready = new double[_n];
        LinkFree = new double[_n];
        LinkSeconds = new double[_n];
        MessageCpuSeconds = new double[_n];
    }

    /// <summary>Per rank: when it may start its next block.</summary>
    public double[] Ready { get; }

    /// <summary>Per rank: when its last send left its link.</summary>
    public double[] LinkFree { get; }

    /// <summary>Per rank: link time of its sends so far (busy time + latency per message).</summary>
    public double[] LinkSeconds { get; }

    /// <summary>Per rank: CPU time its messages (sent and received) cost it so far.</summary>
    public double[] MessageCpuSeconds { get; }

    /// <summary>Every rank computes for its own time (no communication).</summary>
    public void Compute(double[] seconds)
    {
        for (var r = 0; r < _n; r++)
        {
            Ready[r] += seconds[r];
        }
    }

    /// <summary>An AllGather of chunks of <paramref name="bytes"/> with the GEMM tiles of each chunk computed as it is in place (overlap) or after all of them.</summary>
    public void AllGather(CollectiveAlgorithm algorithm, double[] blockCompute, double[] fraction, double[] bytes, bool overlap)
    {
        if (_n == 1)
        {
            Ready[0] += blockCompute[0];
            return;
        }

        if (algorithm == CollectiveAlgorithm.Ring)
        {
            RingAllGather(blockCompute, fraction, bytes, overlap);
        }
        else
        {
            DirectAllGather(blockCompute, fraction, bytes, overlap);
        }
    }

    /// <summary>A ReduceScatter whose partial of chunk j costs <c>blockCompute[r] · fraction[j]</c>, produced in the algorithm's order (overlap) or all first.</summary>
    public void ReduceScatter(CollectiveAlgorithm algorithm, double[] blockCompute, double[] fraction, double[] bytes, bool overlap)
    {
        if (_n == 1)
        {
            Ready[0] += blockCompute[0];
            return;
        }

        if (algorithm == CollectiveAlgorithm.Ring)
        {
            RingReduceScatter(blockCompute, fraction, bytes, overlap);
        }
        else
        {
            DirectReduceScatter(blockCompute, fraction, bytes, overlap);
        }
    }

    private int Mod(int i) => ((i % _n) + _n) % _n;

    /// <summary>Rank <paramref name="r"/>'s CPU time to serialise a message of <paramref name="bytes"/> (0 for an empty chunk), charged to it.</summary>
    private double SendCpu(int r, double bytes) => Charge(r, bytes);

    /// <summary>Rank <paramref name="r"/>'s CPU time to deserialise a message of <paramref name="bytes"/> (0 for an empty chunk), charged to it.</summary>
    private double ReceiveCpu(int r, double bytes) => Charge(r, bytes);

    private double Charge(int r, double bytes)
    {
        if (bytes <= 0)
        {
            return 0;
        }

        var seconds = _messageSeconds[r] + (bytes * _byteSeconds[r]);
        MessageCpuSeconds[r] += seconds;
        return seconds;
    }

    /// <summary>Sends <paramref name="bytes"/> from r to k no earlier than <paramref name="at"/>; returns when it lands (at, when empty).</summary>
    private double Send(int r, int k, double bytes, double at)
    {
        if (bytes <= 0)
        {
            return at;
        }

        var busy = bytes * _secondsPerByte[r, k];
        var start = Math.Max(at, LinkFree[r]);
        LinkFree[r] = start + busy;
        LinkSeconds[r] += busy + _latency[r, k];
        return LinkFree[r] + _latency[r, k];
    }

    private void RingAllGather(double[] blockCompute, double[] fraction, double[] bytes, bool overlap)
    {
        for (var r = 0; r < _n; r++)
        {
            _cursor[r] = Ready[r] + (overlap ? blockCompute[r] * fraction[r] : 0);
            _forward[r] = Ready[r];
        }

        for (var step = 0; step < _n - 1; step++)
        {
            for (var r = 0; r < _n; r++)
            {
                var sent = bytes[Mod(r - step)];
                var serialise = SendCpu(r, sent);
                _cursor[r] += serialise;
                _next[(r + 1) % _n] = Send(r, (r + 1) % _n, sent, _forward[r] + serialise);
            }

            for (var r = 0; r < _n; r++)
            {
                var chunk = Mod(r - step - 1);
                var deserialise = ReceiveCpu(r, bytes[chunk]);
                _forward[r] = _next[r] + deserialise;
                _cursor[r] = Math.Max(_cursor[r], _next[r]) + deserialise + (overlap ? blockCompute[r] * fraction[chunk] : 0);
            }
        }

        for (var r = 0; r < _n; r++)
        {
            Ready[r] = overlap ? Math.Max(_cursor[r], LinkFree[r]) : Math.Max(_cursor[r], LinkFree[r]) + blockCompute[r];
        }
    }

    private void RingReduceScatter(double[] blockCompute, double[] fraction, double[] bytes, bool overlap)
    {
        for (var r = 0; r < _n; r++)
        {
            _cursor[r] = Ready[r] + (overlap ? 0 : blockCompute[r]);
        }

        for (var step = 0; step < _n; step++)
        {
            for (var r = 0; r < _n; r++)
            {
                var chunk = Mod(r - 1 - step);
                if (overlap)
                {
                    _cursor[r] += blockCompute[r] * fraction[chunk];
                }

                if (step > 0)
                {
                    // Add the partial received from r − 1 (chunk `chunk`, what r − 1 sent last step).
                    _cursor[r] = Math.Max(_cursor[r], _forward[r]) + ReceiveCpu(r, bytes[chunk]);
                }
            }

            if (step == _n - 1)
            {
                break;
            }

            for (var r = 0; r < _n; r++)
            {
                var sent = bytes[Mod(r - 1 - step)];
                _cursor[r] += SendCpu(r, sent);
                _next[(r + 1) % _n] = Send(r, (r + 1) % _n, sent, _cursor[r]);
            }

            Array.Copy(_next, _forward, _n);
        }

        for (var r = 0; r < _n; r++)
        {
            Ready[r] = Math.Max(_cursor[r], LinkFree[r]);
        }
    }

    private void DirectAllGather(double[] blockCompute, double[] fraction, double[] bytes, bool overlap)
    {
        for (var r = 0; r < _n; r++)
        {
            // Its chunk to every peer at once: the copies are serialised one after another.
            var cpu = Ready[r];
            for (var m = 1; m < _n; m++)
            {
                var k = (r + m) % _n;
                cpu += SendCpu(r, bytes[r]);
                _arrival[k, r] = Send(r, k, bytes[r], cpu);
            }

            _forward[r] = cpu;
        }

        for (var r = 0; r < _n; r++)
        {
            var cursor = _forward[r] + (overlap ? blockCompute[r] * fraction[r] : 0);
            for (var m = 1; m < _n; m++)
            {
                var j = Mod(r - m);
                cursor = Math.Max(cursor, _arrival[r, j]) + ReceiveCpu(r, bytes[j]) + (overlap ? blockCompute[r] * fraction[j] : 0);
            }

            _cursor[r] = overlap ? Math.Max(cursor, LinkFree[r]) : Math.Max(cursor, LinkFree[r]) + blockCompute[r];
        }

        Array.Copy(_cursor, Ready, _n);
    }

    private void DirectReduceScatter(double[] blockCompute, double[] fraction, double[] bytes, bool overlap)
    {
        for (var r = 0; r < _n; r++)
        {
            var cursor = Ready[r] + (overlap ? 0 : blockCompute[r]);
            for (var m = 1; m < _n; m++)
            {
                var j = (r + m) % _n;
                if (overlap)
                {
                    cursor += blockCompute[r] * fraction[j];
                }

                cursor += SendCpu(r, bytes[j]);
                _arrival[j, r] = Send(r, j, bytes[j], cursor);
            }

            _cursor[r] = cursor + (overlap ? blockCompute[r] * fraction[r] : 0);
        }

        for (var r = 0; r < _n; r++)
        {
            // The partials of its chunk are added in the order they land, each after its deserialisation.
            var landed = 0;
            for (var k = 0; k < _n; k++)
            {
                if (k != r)
                {
                    _next[landed++] = _arrival[r, k];
                }
            }

            Array.Sort(_next, 0, landed);
            var done = _cursor[r];
            for (var i = 0; i < landed; i++)
            {
                done = Math.Max(done, _next[i]) + ReceiveCpu(r, bytes[r]);
            }

            Ready[r] = Math.Max(done, LinkFree[r]);
        }
    }
}
