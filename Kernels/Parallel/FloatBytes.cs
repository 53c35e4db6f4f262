using System.Buffers;
using System.Runtime.InteropServices;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The bytes of a <see cref="Memory{T}"/> of floats as a <see cref="Memory{T}"/> of bytes (no copy), so fp32 tiles
/// go on the wire straight from the buffers they were computed in. One per buffer per collective call; slices of
/// its <see cref="MemoryManager{T}.Memory"/> cost nothing.
/// </summary>
internal sealed class FloatBytes(Memory<float> floats) : MemoryManager<byte>
{
    /// <summary>The bytes of <paramref name="floats"/> (at most <see cref="int.MaxValue"/>).</summary>
    public static Memory<byte> Of(Memory<float> floats)
    {
        if ((long)floats.Length * sizeof(float) > int.MaxValue)
        {
            throw new ArgumentException($"{floats.Length} floats are more bytes than one Memory<byte> holds.", nameof(floats));
        }

        return new FloatBytes(floats).Memory;
    }

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(floats.Span);

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        var pinned = floats.Pin();
        return new MemoryHandle((byte*)pinned.Pointer + elementIndex, default, new Release(pinned));
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>Releases the floats' pin when the byte handle is disposed.</summary>
    private sealed class Release(MemoryHandle pinned) : IPinnable
    {
        private MemoryHandle _pinned = pinned;

        public MemoryHandle Pin(int elementIndex) => throw new NotSupportedException("Pin the FloatBytes, not its release.");

        public void Unpin() => _pinned.Dispose();
    }
}
