using System.Buffers;
using System.Runtime.CompilerServices;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Where a collective receives tiles it only reads (running sums, partials to add): one pooled tile of floats and,
/// when the wire is encoded, one pooled tile of bytes to decode from. Each receive reuses them.
/// </summary>
internal sealed class ReceiveBuffer : IDisposable
{
    private readonly RingLayout _layout;
    private readonly float[] _floats;
    private readonly Memory<byte> _floatBytes;
    private readonly byte[]? _wire;

    public ReceiveBuffer(RingLayout layout)
    {
        _layout = layout;
        _floats = ArrayPool<float>.Shared.Rent(layout.TileFloats);
        if (layout.RawWire)
        {
            _floatBytes = FloatBytes.Of(_floats);
        }
        else
        {
            _wire = ArrayPool<byte>.Shared.Rent(layout.TileWireBytes);
        }
    }

    /// <summary>Receives the tile <paramref name="key"/> of <paramref name="rowCount"/> rows from <paramref name="source"/>; its values stay valid until the next receive.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Memory<float>> ReceiveAsync(ICollective collective, int source, TileKey key, int rowCount, CancellationToken cancellationToken)
    {
        var values = _floats.AsMemory(0, rowCount * _layout.Width);
        if (_wire is null)
        {
            await collective.ReceiveAsync(source, key, _floatBytes[..(values.Length * sizeof(float))], cancellationToken).ConfigureAwait(false);
            return values;
        }

        var wire = _wire.AsMemory(0, _layout.WireBytes(rowCount));
        await collective.ReceiveAsync(source, key, wire, cancellationToken).ConfigureAwait(false);
        _layout.Decode(wire.Span, values.Span);
        return values;
    }

    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_floats);
        if (_wire is not null)
        {
            ArrayPool<byte>.Shared.Return(_wire);
        }
    }
}
