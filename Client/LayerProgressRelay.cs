using Galaxy.Grains;

namespace Galaxy.Client;

/// <summary>
/// Hands the <see cref="LayerProgress"/> events of one request's progress stream to the caller's
/// <see cref="IProgress{T}"/>, each event once (a memory stream may deliver one twice), and lets the client wait until
/// the runs that produced the result have reported every layer: events arrive up to one polling period after the
/// shards published them, so a result can overtake its last events.
/// </summary>
internal sealed class LayerProgressRelay(IProgress<LayerProgress> progress)
{
    private readonly Lock _lock = new();
    private readonly HashSet<(long RequestId, int Text, string Device, int Layer)> _seen = [];
    private readonly Dictionary<(int Text, int Attempt, string Device), int> _layers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Events handed on so far (duplicates not counted).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Takes one event off the stream.</summary>
    public Task OnNextAsync(LayerProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (!_seen.Add((value.RequestId, value.Text, value.Device, value.Layer)))
            {
                return Task.CompletedTask;
            }

            var key = (value.Text, value.Attempt, value.Device);
            _layers[key] = _layers.GetValueOrDefault(key) + 1;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        progress.Report(value);
        changed.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Waits until every (text, attempt, device) of <paramref name="expected"/> has reported its layers, or
    /// <paramref name="limit"/> passes (events are best effort: a stream that failed lost them, and the result stands).
    /// </summary>
    /// <returns>True when every expected event arrived.</returns>
    public async Task<bool> WaitForAsync(IReadOnlyCollection<(int Text, int Attempt, string Device, int Layers)> expected, TimeSpan limit, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (expected.All(e => _layers.GetValueOrDefault((e.Text, e.Attempt, e.Device)) >= e.Layers))
                {
                    return true;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await changed.WaitAsync(left, cancellation).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}
