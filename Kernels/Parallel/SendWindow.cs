using System.Buffers;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Up to <c>slots</c> sends in flight, each slot optionally with its own pooled buffers: floats (a tile computed in
/// place, sent as its bytes in fp32) and bytes (a tile's encoded form). A slot is reused only after the send posted
/// in it has completed, so a buffer is never overwritten while a send may still read it, and the caller computes
/// the next tile while earlier sends are under way.
/// </summary>
internal sealed class SendWindow(int slots, int floatsPerBuffer, int bytesPerBuffer = 0) : IAsyncDisposable
{
    /// <summary>Sends in flight per collective: double buffering plus slack for a send that completes late.</summary>
    public const int DefaultSlots = 4;

    private readonly ValueTask[] _pending = new ValueTask[slots];
    private readonly bool[] _busy = new bool[slots];
    private readonly float[]?[] _floats = new float[]?[slots];
    private readonly Memory<byte>[] _floatBytes = new Memory<byte>[slots];
    private readonly byte[]?[] _bytes = new byte[]?[slots];
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

    /// <summary>The next slot's float buffer (after <see cref="WaitForSlotAsync"/>), rented on first use.</summary>
    public Memory<float> SlotBuffer(int length) => SlotFloats().AsMemory(0, length);

    /// <summary>The first <paramref name="floatCount"/> floats of the next slot's float buffer, as bytes (no copy).</summary>
    public Memory<byte> SlotBufferBytes(int floatCount)
    {
        SlotFloats();
        return _floatBytes[_next][..(floatCount * sizeof(float))];
    }

    /// <summary>The next slot's byte buffer (after <see cref="WaitForSlotAsync"/>), rented on first use.</summary>
    public Memory<byte> SlotWire(int length) =>
        (_bytes[_next] ??= ArrayPool<byte>.Shared.Rent(Math.Max(bytesPerBuffer, 1))).AsMemory(0, length);

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

        foreach (var buffer in _floats)
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        foreach (var buffer in _bytes)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private float[] SlotFloats()
    {
        if (_floats[_next] is { } floats)
        {
            return floats;
        }

        floats = _floats[_next] = ArrayPool<float>.Shared.Rent(Math.Max(floatsPerBuffer, 1));
        _floatBytes[_next] = FloatBytes.Of(floats);
        return floats;
    }
}
