namespace Galaxy.Kernels.Parallel;

/// <summary>
/// The shapes of one ring collective, checked once: N ranks, chunk j = the rows of rank j (any count ≥ 0,
/// starting at the sum of the previous chunks), rows of <see cref="Width"/> floats, tiles of at most
/// <see cref="TileRows"/> rows. Tile t of chunk j holds rows <c>[t·TileRows, min((t+1)·TileRows, rows_j))</c>
/// of that chunk; an empty chunk has no tiles.
/// </summary>
internal sealed class RingLayout
{
    private readonly int[] _chunkRows;
    private readonly int[] _rowStarts;

    private RingLayout(int size, int rank, int[] chunkRows, int width, int tileRows)
    {
        Size = size;
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

    /// <summary>S, the rows of all chunks.</summary>
    public int TotalRows => _rowStarts[Size];

    public int Next => (Rank + 1) % Size;

    public int Previous => (Rank + Size - 1) % Size;

    /// <summary>Floats in the largest tile (the size of a tile buffer).</summary>
    public int TileFloats => TileRows * Width;

    /// <exception cref="ArgumentException">Any shape is inconsistent; the message names it.</exception>
    public static RingLayout Create(ICollective collective, int[] chunkRows, int width, int tileRows)
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
        if (total * width > Array.MaxLength || (long)tileRows * width > Array.MaxLength)
        {
            throw new ArgumentException($"{total} rows (tiles of {tileRows}) of {width} floats do not fit in one buffer.", nameof(chunkRows));
        }

        return new RingLayout(size, rank, chunkRows, width, tileRows);
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
