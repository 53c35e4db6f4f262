using System.Buffers;

namespace Galaxy.Grains;

/// <summary>
/// A tile's bytes waiting in a <see cref="TileInbox"/>: the first <see cref="Length"/> bytes of <see cref="Buffer"/>,
/// which is rented from <see cref="ArrayPool{T}.Shared"/> when <see cref="Pooled"/> (socket frames) or owned by a
/// grain-call message otherwise.
/// </summary>
internal readonly record struct ReceivedTile(byte[] Buffer, int Length, bool Pooled)
{
    /// <summary>Hands a pooled buffer back; the tile must not be used afterwards.</summary>
    public void Return()
    {
        if (Pooled)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
