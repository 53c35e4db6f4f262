using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Galaxy.Kernels.Gemm;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// One <see cref="Attention.Apply"/> call in two parallel phases: <see cref="PackHead"/> packs every
/// head's K_h and V_h once into micro-kernel panels, then <see cref="RunTask"/> runs tasks of (one head)
/// × (a block of query rows). Tasks of a phase write disjoint memory and need no synchronisation.
/// </summary>
/// <remarks>
/// Both products of a task run on the SGEMM micro-kernel: <c>S = Q_h · (scale·K_h)ᵀ</c>, then a masked
/// softmax of each row of S, then <c>O_h = S · V_h</c>. Packing in a phase of its own lets every row block
/// of a head share one copy of its panels instead of repacking them per task; the scale is applied while
/// packing K, so the micro-kernel reads whole tiles of Q straight from the query matrix, and writes whole
/// tiles of O straight into the destination.
/// Under a causal mask a tile of micro-kernel rows only multiplies the keys its last row can see, and
/// each row's softmax runs over its visible prefix, the rest of the row set to zero; the keys a row cannot
/// see are neither multiplied beyond their tile nor exponentiated.
/// </remarks>
internal sealed unsafe class AttentionJob
{
    /// <summary>Query rows per task (rounded up to whole micro-kernel tiles).</summary>
    private const int TargetRowsPerTask = 64;

    private readonly float* _query;
    private readonly float* _key;
    private readonly float* _value;
    private readonly float* _destination;
    private readonly byte* _keyMask;
    private readonly float* _packed;
    private readonly AttentionShape _shape;
    private readonly int _width;
    private readonly int _rowsPerTask;
    private readonly int _rowBlocks;
    private readonly int _tileRows;
    private readonly int _tileColumns;
    private readonly int _paddedKeys;
    private readonly int _paddedDim;
    private readonly delegate*<float*, nint, float*, int, float*, nint, bool, void> _kernel;

    /// <summary>Operands as in <see cref="Attention.Apply"/>; <paramref name="packed"/> holds <see cref="PackedLength"/> floats for the panels.</summary>
    public AttentionJob(float* query, float* key, float* value, float* destination, byte* keyMask, float* packed, AttentionShape shape)
    {
        _query = query;
        _key = key;
        _value = value;
        _destination = destination;
        _keyMask = keyMask;
        _packed = packed;
        _shape = shape;
        _width = shape.Width;
        var kind = GemmKernels.Best;
        _kernel = GemmKernels.MicroKernel(kind);
        _tileRows = GemmKernels.TileRows(kind);
        _tileColumns = GemmKernels.TileColumns(kind);
        _paddedKeys = RoundUp(shape.KeyRows, _tileColumns);
        _paddedDim = RoundUp(shape.HeadDim, _tileColumns);
        _rowsPerTask = RoundUp(Math.Min(TargetRowsPerTask, Math.Max(shape.QueryRows, 1)), _tileRows);
        _rowBlocks = (shape.QueryRows + _rowsPerTask - 1) / _rowsPerTask;
    }

    public int TaskCount => _shape.Heads * _rowBlocks;

    /// <summary>Floats of packed K and V panels for all heads of <paramref name="shape"/>.</summary>
    public static long PackedLength(AttentionShape shape)
    {
        var kind = GemmKernels.Best;
        var columns = GemmKernels.TileColumns(kind);
        return (long)shape.Heads * HeadPackedLength(shape, columns);
    }

    /// <summary>Packs head <paramref name="head"/>'s K_hᵀ and V_h panels (all key rows).</summary>
    public void PackHead(int head)
    {
        var keys = KeyPanels(head);
        var values = keys + ((long)_paddedKeys * _shape.HeadDim);
        var column = (long)head * _shape.HeadDim;
        PackKeys(column, keys);
        PackValues(column, values);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunTask(int task)
    {
        // Hand out the last row blocks first: under a causal mask they see the most keys, and starting
        // the longest tasks early keeps the threads evenly loaded at the end.
        var head = task % _shape.Heads;
        var rowBlock = _rowBlocks - 1 - (task / _shape.Heads);
        var rowStart = rowBlock * _rowsPerTask;
        var rows = Math.Min(_rowsPerTask, _shape.QueryRows - rowStart);
        var visible = VisibleKeys(rowStart + rows);

        var headDim = _shape.HeadDim;
        var paddedRows = RoundUp(rows, _tileRows);
        var scoreColumns = RoundUp(visible, _tileColumns);

        // Full tiles of a head whose width is whole panels go straight to the destination.
        var direct = rows == paddedRows && headDim == _paddedDim;
        var queryLength = rows == paddedRows ? 0 : paddedRows * headDim;
        var scoreLength = paddedRows * scoreColumns;
        var outputLength = direct ? 0 : paddedRows * _paddedDim;
        var scratch = ArrayPool<float>.Shared.Rent(queryLength + scoreLength + outputLength);
        try
        {
            fixed (float* buffer = scratch)
            {
                var scores = buffer + queryLength;
                var column = (long)head * headDim;
                var k = KeyPanels(head);
                var v = k + ((long)_paddedKeys * headDim);
                var output = direct ? _destination + ((long)rowStart * _width) + column : scores + scoreLength;
                var outputStride = direct ? _width : _paddedDim;

                // A partial last tile of rows is copied and padded with zero rows; whole tiles are read in place.
                var q = _query + ((long)rowStart * _width) + column;
                long queryStride = _width;
                if (rows != paddedRows)
                {
                    CopyQuery(rowStart, rows, paddedRows, column, buffer);
                    q = buffer;
                    queryStride = headDim;
                }

                // S (paddedRows, scoreColumns) = Q_h · (scale·K_h)ᵀ, over the key panels each tile of rows can see.
                for (var i = 0; i < paddedRows; i += _tileRows)
                {
                    var tileKeys = RoundUp(VisibleKeys(rowStart + Math.Min(i + _tileRows, rows)), _tileColumns);
                    for (var p = 0; p < tileKeys; p += _tileColumns)
                    {
                        _kernel(q + (i * queryStride), (nint)queryStride, k + ((long)p * headDim), headDim, scores + ((long)i * scoreColumns) + p, scoreColumns, false);
                    }
                }

                SoftmaxRows(scores, rows, scoreColumns, rowStart, visible);

                // O_h (paddedRows, paddedDim) = P · V_h, each tile of rows over the keys it can see.
                for (var i = 0; i < paddedRows; i += _tileRows)
                {
                    var tileKeys = VisibleKeys(rowStart + Math.Min(i + _tileRows, rows));
                    for (var p = 0; p < _paddedDim; p += _tileColumns)
                    {
                        _kernel(scores + ((long)i * scoreColumns), scoreColumns, v + ((long)p * _shape.KeyRows), tileKeys, output + ((long)i * outputStride) + p, outputStride, false);
                    }
                }

                if (!direct)
                {
                    for (var i = 0; i < rows; i++)
                    {
                        new ReadOnlySpan<float>(output + ((long)i * _paddedDim), headDim)
                            .CopyTo(new Span<float>(_destination + ((long)(rowStart + i) * _width) + column, headDim));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static long HeadPackedLength(AttentionShape shape, int columns) =>
        ((long)RoundUp(shape.KeyRows, columns) * shape.HeadDim) + ((long)shape.KeyRows * RoundUp(shape.HeadDim, columns));

    /// <summary>Keys the first <paramref name="rowEnd"/> query rows can see between them (all keys unless causal).</summary>
    private int VisibleKeys(int rowEnd) =>
        _shape.Causal ? (int)Math.Min(_shape.KeyRows, (long)_shape.QueryOffset + rowEnd) : _shape.KeyRows;

    private float* KeyPanels(int head) => _packed + (head * HeadPackedLength(_shape, _tileColumns));

    /// <summary>q (paddedRows, HeadDim) = Q[rows, head], zero rows past the block.</summary>
    private void CopyQuery(int rowStart, int rows, int paddedRows, long column, float* q)
    {
        var headDim = _shape.HeadDim;
        for (var i = 0; i < rows; i++)
        {
            new ReadOnlySpan<float>(_query + ((long)(rowStart + i) * _width) + column, headDim)
                .CopyTo(new Span<float>(q + ((long)i * headDim), headDim));
        }

        new Span<float>(q + ((long)rows * headDim), (paddedRows - rows) * headDim).Clear();
    }

    /// <summary>(scale·K_h)ᵀ as micro-kernel panels: panel p holds keys [p·w, p·w + w) as (HeadDim, w), padding keys zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackKeys(long column, float* k)
    {
        var headDim = _shape.HeadDim;
        var tile = _tileColumns;
        var keys = _shape.KeyRows;
        var lastPanel = keys / tile * tile;
        new Span<float>(k + ((long)lastPanel * headDim), (_paddedKeys - lastPanel) * headDim).Clear();
        var scale = _shape.Scale;
        var j = 0;
        if (Avx.IsSupported && headDim % 8 == 0)
        {
            // Whole blocks of 8 keys × 8 columns are transposed in registers; panel widths are multiples of 8.
            for (; j + 8 <= keys; j += 8)
            {
                var source = _key + ((long)j * _width) + column;
                var target = k + ((long)(j / tile) * tile * headDim) + (j % tile);
                for (var c = 0; c < headDim; c += 8)
                {
                    ScaleTranspose8x8(source + c, _width, scale, target + ((long)c * tile), tile);
                }
            }
        }

        for (; j < keys; j++)
        {
            var source = _key + ((long)j * _width) + column;
            var target = k + ((long)(j / tile) * tile * headDim) + (j % tile);
            for (var c = 0; c < headDim; c++)
            {
                target[(long)c * tile] = scale * source[c];
            }
        }
    }

    /// <summary>target[c·targetStride + r] = scale · source[r·sourceStride + c] for r, c in [0, 8).</summary>
    private static void ScaleTranspose8x8(float* source, long sourceStride, float scale, float* target, long targetStride)
    {
        var factor = Vector256.Create(scale);
        var r0 = Avx.LoadVector256(source) * factor;
        var r1 = Avx.LoadVector256(source + sourceStride) * factor;
        var r2 = Avx.LoadVector256(source + (2 * sourceStride)) * factor;
        var r3 = Avx.LoadVector256(source + (3 * sourceStride)) * factor;
        var r4 = Avx.LoadVector256(source + (4 * sourceStride)) * factor;
        var r5 = Avx.LoadVector256(source + (5 * sourceStride)) * factor;
        var r6 = Avx.LoadVector256(source + (6 * sourceStride)) * factor;
        var r7 = Avx.LoadVector256(source + (7 * sourceStride)) * factor;

        // Interleave pairs of rows, then pairs of pairs: within each 128-bit half, u_i holds column i (and i + 4) of 4 rows.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join rows 0–3 and 4–7: low halves give columns 0–3, high halves columns 4–7.
        Avx.Store(target, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(target + targetStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(target + (2 * targetStride), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(target + (3 * targetStride), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(target + (4 * targetStride), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(target + (5 * targetStride), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(target + (6 * targetStride), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(target + (7 * targetStride), Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>V_h as micro-kernel panels: panel p holds columns [p·w, p·w + w) as (KeyRows, w), padding columns zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackValues(long column, float* v)
    {
        var headDim = _shape.HeadDim;
        var tile = _tileColumns;
        var keys = _shape.KeyRows;
        for (var p = 0; p < _paddedDim; p += tile)
        {
            var valid = Math.Min(tile, headDim - p);
            var panel = v + ((long)p * keys);
            for (var j = 0; j < keys; j++)
            {
                var source = _value + ((long)j * _width) + column + p;
                var target = panel + ((long)j * tile);
                var c = 0;
                for (; c + Vector<float>.Count <= valid; c += Vector<float>.Count)
                {
                    Vector.Store(Vector.Load(source + c), target + c);
                }

                for (; c < valid; c++)
                {
                    target[c] = source[c];
                }

                new Span<float>(target + valid, tile - valid).Clear();
            }
        }
    }

    /// <summary>
    /// Softmaxes row i of the scores over the keys query <c>rowStart + i</c> may see and zeroes the rest of
    /// its first <paramref name="visible"/> entries, which the P·V product reads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SoftmaxRows(float* scores, int rows, int stride, int rowStart, int visible)
    {
        if (!_shape.Causal && _keyMask is null)
        {
            Softmax.ApplyRows(new Span<float>(scores, ((rows - 1) * stride) + visible), rows, visible, stride);
            return;
        }

        // Each row's scaling runs one row late, after the next row's exponentials (as in Softmax.Apply).
        var previous = Span<float>.Empty;
        var previousFactor = 1f;
        for (var i = 0; i < rows; i++)
        {
            var row = new Span<float>(scores + ((long)i * stride), visible);
            var seen = VisibleKeys(rowStart + i + 1);
            if (_keyMask is not null)
            {
                for (var j = 0; j < seen; j++)
                {
                    if (_keyMask[j] == 0)
                    {
                        row[j] = float.NegativeInfinity;
                    }
                }
            }

            var factor = Softmax.ExpRow(row[..seen], row[..seen]);
            row[seen..].Clear();
            Softmax.Scale(previous, previousFactor);
            previous = row[..seen];
            previousFactor = factor;
        }

        Softmax.Scale(previous, previousFactor);
    }
}
