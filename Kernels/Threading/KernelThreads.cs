namespace Galaxy.Kernels.Threading;

/// <summary>
/// A small pool of dedicated compute threads for the kernels. <see cref="For"/> runs
/// <c>body(i)</c> for every <c>i</c> in <c>[0, count)</c>, handing indices out one at a time
/// through an atomic counter, with the calling thread working alongside the pool.
/// </summary>
/// <remarks>
/// The kernels do not use the .NET thread pool: grains, sockets and timers live there, and a GEMM
/// that competes with them for threads makes both slower. Workers spin briefly after a job before
/// they block, so back-to-back kernel calls (one per layer) do not pay a wake-up each time.
/// Calls from several threads are serialised; a call made from inside a body runs inline.
/// </remarks>
public sealed class KernelThreads : IDisposable
{
    private const int SpinIterationsBeforeBlocking = 200;

    private static readonly Lazy<KernelThreads> SharedInstance = new(() => new KernelThreads(Environment.ProcessorCount));

    [ThreadStatic]
    private static bool t_insideBody;

    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _wake;
    private readonly ManualResetEventSlim _done = new(false);
    private readonly Lock _callLock = new();

    private Action<int>? _body;
    private int _count;
    private int _next;
    private int _pendingWorkers;
    private long _generation;
    private Exception? _failure;
    private volatile bool _disposed;

    /// <summary>Creates a pool that runs work on <paramref name="threadCount"/> threads, the caller included.</summary>
    public KernelThreads(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        Count = threadCount;
        _wake = new SemaphoreSlim(0);
        _workers = new Thread[threadCount - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop)
            {
                IsBackground = true,
                Name = $"galaxy-kernel-{i + 1}",
            };
            _workers[i].Start();
        }
    }

    /// <summary>A process-wide pool with one thread per logical processor.</summary>
    public static KernelThreads Shared => SharedInstance.Value;

    /// <summary>Number of threads that run work, the caller included.</summary>
    public int Count { get; }

    /// <summary>Runs <paramref name="body"/> for each index in <c>[0, count)</c> and returns when all are done.</summary>
    /// <exception cref="AggregateException">One or more bodies threw; the first failure is wrapped.</exception>
    public void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count == 0)
        {
            return;
        }

        if (count == 1 || _workers.Length == 0 || t_insideBody)
        {
            RunInline(count, body);
            return;
        }

        lock (_callLock)
        {
            _body = body;
            _count = count;
            _failure = null;
            Volatile.Write(ref _next, 0);
            var helpers = Math.Min(_workers.Length, count - 1);
            Volatile.Write(ref _pendingWorkers, helpers);
            _done.Reset();
            Interlocked.Increment(ref _generation);
            _wake.Release(helpers);

            t_insideBody = true;
            try
            {
                Drain(body, count);
            }
            finally
            {
                t_insideBody = false;
            }

            _done.Wait();
            _body = null;
            if (_failure is { } failure)
            {
                throw new AggregateException("A kernel work item failed.", failure);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_workers.Length > 0)
        {
            _wake.Release(_workers.Length);
        }
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _wake.Dispose();
        _done.Dispose();
    }

    private static void RunInline(int count, Action<int> body)
    {
        for (var i = 0; i < count; i++)
        {
            body(i);
        }
    }

    private void Drain(Action<int> body, int count)
    {
        int index;
        while ((index = Interlocked.Increment(ref _next) - 1) < count)
        {
            try
            {
                body(index);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);
            }
        }
    }

    private void WorkerLoop()
    {
        t_insideBody = true;
        var seenGeneration = 0L;
        while (true)
        {
            // Spin a little first: the next kernel call usually follows within microseconds.
            var spinner = default(SpinWait);
            var woke = false;
            for (var i = 0; i < SpinIterationsBeforeBlocking && !woke; i++)
            {
                if (Volatile.Read(ref _generation) != seenGeneration && _wake.Wait(0))
                {
                    woke = true;
                    break;
                }

                spinner.SpinOnce(sleep1Threshold: -1);
            }

            if (!woke)
            {
                _wake.Wait();
            }

            if (_disposed)
            {
                return;
            }

            seenGeneration = Volatile.Read(ref _generation);
            var body = _body;
            if (body is not null)
            {
                Drain(body, _count);
            }

            if (Interlocked.Decrement(ref _pendingWorkers) == 0)
            {
                _done.Set();
            }
        }
    }
}
