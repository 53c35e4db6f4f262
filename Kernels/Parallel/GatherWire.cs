using System.Buffers;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The wire side of one AllGather on one rank. In fp32 tiles go out from and come in to the gathered buffer itself
/// (its bytes, no copy). With a lossy precision this rank's chunk is encoded once, before anything is sent, and its
/// own rows are replaced by what the peers will decode, so every rank ends with the same bits; received tiles are
/// decoded into place by the caller. One rank alone sends nothing and changes nothing.
/// </summary>
internal sealed class GatherWire : IDisposable
{
    private readonly RingLayout _layout;
    private readonly Memory<byte> _view;
    private readonly byte[]? _own;

    public GatherWire(RingLayout layout, Memory<float> gathered)
    {
        _layout = layout;
        if (layout.RawWire || layout.Size == 1)
        {
            // One rank: nothing crosses a link, so nothing is rounded either.
            _view = FloatBytes.Of(gathered);
            return;
        }

        var rank = layout.Rank;
        _own = ArrayPool<byte>.Shared.Rent(Math.Max(1, layout.WireBytes(layout.RowsOf(rank))));
        for (var t = 0; t < layout.TileCount(rank); t++)
        {
            var rows = layout.Slice(gathered, layout.Tile(rank, t)).Span;
            var wire = OwnTile(t).Span;
            layout.Encode(rows, wire);
            layout.Decode(wire, rows);
        }
    }

    /// <summary>Tile <paramref name="tile"/> of this rank's chunk as it goes on the wire.</summary>
    public Memory<byte> OwnTile(int tile)
    {
        var rows = _layout.Tile(_layout.Rank, tile);
        return _own is null
            ? _layout.SliceBytes(_view, rows)
            : _own.AsMemory(_layout.WireOffset(tile), _layout.WireBytes(rows.RowCount));
    }

    /// <summary>The bytes of <paramref name="rows"/> in the gathered buffer (fp32 only: received straight into place).</summary>
    public Memory<byte> InPlace(RowRange rows) => _layout.SliceBytes(_view, rows);

    public void Dispose()
    {
        if (_own is not null)
        {
            ArrayPool<byte>.Shared.Return(_own);
        }
    }
}
