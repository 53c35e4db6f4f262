using System.Buffers;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Up to <c>slots</c> sends in flight, each optionally with its own pooled buffer. A slot is reused only after
/// the send posted in it has completed, so a buffer is never overwritten while a send may still read it, and
/// the caller computes the next tile while earlier sends are under way.
/// </summary>
internal sealed class SendWindow(int slots, int floatsPerBuffer) : IAsyncDisposable
{
    /// <summary>Sends in flight per collective: double buffering plus slack for a send that completes late.</summary>
    public const int DefaultSlots = 4;

    private readonly ValueTask[] _pending = new ValueTask[slots];
    private readonly bool[] _busy = new bool[slots];
    private readonly float[]?[] _buffers = new float[]?[slots];
    private int _next;

    /// <summary>Waits until the next slot's previous send has completed.</summary>
    public ValueTask WaitForSlotAsync()
    {
        if (!_busy[_next])
        {
            return ValueTask.CompletedTask;
        }

        _busy[_next] = false;
        return _pending[_next];
    }

    /// <summary>The next slot's buffer (after <see cref="WaitForSlotAsync"/>), rented on first use.</summary>
    public Memory<float> SlotBuffer(int length) =>
        (_buffers[_next] ??= ArrayPool<float>.Shared.Rent(floatsPerBuffer)).AsMemory(0, length);

    /// <summary>Records <paramref name="send"/> in the next slot and moves on.</summary>
    public void Post(ValueTask send)
    {
        _pending[_next] = send;
        _busy[_next] = true;
        _next = (_next + 1) % _pending.Length;
    }

    /// <summary>Waits for every send in flight, oldest first; the first failure is thrown.</summary>
    public async ValueTask DrainAsync()
    {
        for (var i = 0; i < _pending.Length; i++)
        {
            var slot = (_next + i) % _pending.Length;
            if (_busy[slot])
            {
                _busy[slot] = false;
                await _pending[slot].ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits for sends still in flight (after a failure; their own failures are dropped), then returns the buffers.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var slot = 0; slot < _pending.Length; slot++)
        {
            if (_busy[slot])
            {
                _busy[slot] = false;
                await _pending[slot].AsTask().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        foreach (var buffer in _buffers)
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }
}
