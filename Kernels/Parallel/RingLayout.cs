namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The shapes of one ring collective, checked once: N ranks, chunk j = the rows of rank j (any count ≥ 0,
/// starting at the sum of the previous chunks), rows of <see cref="Width"/> floats, tiles of at most
/// <see cref="TileRows"/> rows. Tile t of chunk j holds rows <c>[t·TileRows, min((t+1)·TileRows, rows_j))</c>
/// of that chunk; an empty chunk has no tiles. On the wire a tile is encoded per <see cref="Precision"/>
/// (<see cref="TileCodec"/>).
/// </summary>
internal sealed class RingLayout
{
    private readonly int[] _chunkRows;
    private readonly int[] _rowStarts;

    private RingLayout(int size, int rank, int[] chunkRows, int width, int tileRows, LinkPrecision precision)
    {
        Size = size;
        Precision = precision;
        Rank = rank;
        Width = width;
        TileRows = tileRows;
        _chunkRows = (int[])chunkRows.Clone();
        _rowStarts = new int[size + 1];
        for (var j = 0; j < size; j++)
        {
            _rowStarts[j + 1] = _rowStarts[j] + chunkRows[j];
        }
    }

    public int Size { get; }

    public int Rank { get; }

    public int Width { get; }

    public int TileRows { get; }

    /// <summary>How tiles are encoded on the links.</summary>
    public LinkPrecision Precision { get; }

    /// <summary>Whether a tile's wire form is its floats' own bytes (fp32): then tiles are sent and received in place.</summary>
    public bool RawWire => Precision == LinkPrecision.Fp32;

    /// <summary>S, the rows of all chunks.</summary>
    public int TotalRows => _rowStarts[Size];

    public int Next => (Rank + 1) % Size;

    public int Previous => (Rank + Size - 1) % Size;

    /// <summary>Floats in the largest tile (the size of a tile buffer).</summary>
    public int TileFloats => TileRows * Width;

    /// <summary>Bytes of the largest tile on the wire (the size of a wire buffer).</summary>
    public int TileWireBytes => WireBytes(TileRows);

    /// <exception cref="ArgumentException">Any shape is inconsistent; the message names it.</exception>
    public static RingLayout Create(ICollective collective, int[] chunkRows, int width, int tileRows, LinkPrecision precision = LinkPrecision.Fp32)
    {
        ArgumentNullException.ThrowIfNull(collective);
        ArgumentNullException.ThrowIfNull(chunkRows);
        var size = collective.Size;
        var rank = collective.Rank;
        if (size < 1 || rank < 0 || rank >= size)
        {
            throw new ArgumentException($"The collective reports rank {rank} of {size} devices.", nameof(collective));
        }

        if (chunkRows.Length != size)
        {
            throw new ArgumentException($"chunkRows has {chunkRows.Length} entries but the ring has {size} ranks (one chunk per rank).", nameof(chunkRows));
        }

        long total = 0;
        for (var j = 0; j < size; j++)
        {
            if (chunkRows[j] < 0)
            {
                throw new ArgumentException($"chunkRows[{j}] is {chunkRows[j]}; a chunk has 0 or more rows.", nameof(chunkRows));
            }

            total += chunkRows[j];
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileRows, 1);
        if (!Enum.IsDefined(precision))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Link precisions are fp32, bf16 and int8.");
        }

        // Every buffer of all rows is also viewed as bytes (fp32 tiles go on the wire in place).
        if (total * width * sizeof(float) > Array.MaxLength || (long)tileRows * width * sizeof(float) > Array.MaxLength)
        {
            throw new ArgumentException($"{total} rows (tiles of {tileRows}) of {width} floats do not fit in one buffer.", nameof(chunkRows));
        }

        return new RingLayout(size, rank, chunkRows, width, tileRows, precision);
    }

    /// <summary>The chunk <paramref name="offset"/> places from this rank around the ring: <c>(Rank + offset) mod N</c>.</summary>
    public int ChunkAt(int offset) => (int)(((long)Rank + offset) % Size + Size) % Size;

    public int RowsOf(int chunk) => _chunkRows[chunk];

    public int RowStartOf(int chunk) => _rowStarts[chunk];

    public int TileCount(int chunk) => (_chunkRows[chunk] + TileRows - 1) / TileRows;

    public RowRange Tile(int chunk, int tile)
    {
        var first = tile * TileRows;
        return new RowRange(chunk, _rowStarts[chunk] + first, Math.Min(TileRows, _chunkRows[chunk] - first));
    }

    /// <summary>Bytes of <paramref name="rows"/> rows on the wire.</summary>
    public int WireBytes(int rows) => TileCodec.EncodedBytes(Precision, rows, Width);

    /// <summary>Byte offset of tile <paramref name="tile"/> in a chunk's tiles laid back to back on the wire.</summary>
    public int WireOffset(int tile) => WireBytes(tile * TileRows);

    /// <summary>Encodes whole rows into their wire form (exactly <see cref="WireBytes"/> bytes).</summary>
    public void Encode(ReadOnlySpan<float> rows, Span<byte> wire) => TileCodec.Encode(Precision, rows, Width, wire);

    /// <summary>Decodes a wire form back into its rows.</summary>
    public void Decode(ReadOnlySpan<byte> wire, Span<float> rows) => TileCodec.Decode(Precision, wire, Width, rows);

    /// <summary>The bytes of <paramref name="rows"/> inside the bytes of a buffer of all S rows (fp32 wire).</summary>
    public Memory<byte> SliceBytes(Memory<byte> allRows, RowRange rows) =>
        allRows.Slice(rows.RowStart * Width * sizeof(float), rows.RowCount * Width * sizeof(float));

    /// <summary>The floats of <paramref name="rows"/> inside a buffer of all S rows.</summary>
    public Memory<float> Slice(Memory<float> allRows, RowRange rows) => allRows.Slice(rows.RowStart * Width, rows.RowCount * Width);

    /// <summary>The floats of <paramref name="rows"/> inside a buffer holding only chunk <c>rows.Chunk</c>.</summary>
    public Memory<float> SliceOfChunk(Memory<float> chunk, RowRange rows) =>
        chunk.Slice((rows.RowStart - _rowStarts[rows.Chunk]) * Width, rows.RowCount * Width);

    /// <summary>Throws unless <paramref name="length"/> is exactly <paramref name="rows"/> × <see cref="Width"/>.</summary>
    public void CheckBuffer(int length, int rows, string what, string parameterName)
    {
        if (length != (long)rows * Width)
        {
            throw new ArgumentException(
                $"{parameterName} holds {length} floats but {what} is {rows} rows × {Width} = {(long)rows * Width} floats.", parameterName);
        }
    }
}
