using System.Buffers;
using System.Numerics.Tensors;
using Galaxy.Kernels.Gemm;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// One <see cref="Attention.Apply"/> call cut into tasks of (one head) × (a block of query rows); tasks
/// write disjoint parts of the destination and need no synchronisation.
/// </summary>
/// <remarks>
/// Both products of a task run on the SGEMM micro-kernel: the task packs K_h (its visible keys) and
/// V_h into micro-kernel panels, then computes <c>S = (scale·Q_h) · K_hᵀ</c>, masks and softmaxes each
/// row of S, and computes <c>O_h = S · V_h</c>. Packing costs one copy of K_h and V_h per task, which
/// is small next to the 2·rows·keys·HeadDim multiply-adds it feeds.
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
    private readonly AttentionShape _shape;
    private readonly int _width;
    private readonly int _rowsPerTask;
    private readonly int _rowBlocks;
    private readonly int _tileRows;
    private readonly int _tileColumns;
    private readonly delegate*<float*, nint, float*, int, float*, nint, bool, void> _kernel;

    public AttentionJob(float* query, float* key, float* value, float* destination, byte* keyMask, AttentionShape shape)
    {
        _query = query;
        _key = key;
        _value = value;
        _destination = destination;
        _keyMask = keyMask;
        _shape = shape;
        _width = shape.Width;
        var kind = GemmKernels.Best;
        _kernel = GemmKernels.MicroKernel(kind);
        _tileRows = GemmKernels.TileRows(kind);
        _tileColumns = GemmKernels.TileColumns(kind);
        _rowsPerTask = RoundUp(Math.Min(TargetRowsPerTask, Math.Max(shape.QueryRows, 1)), _tileRows);
        _rowBlocks = (shape.QueryRows + _rowsPerTask - 1) / _rowsPerTask;
    }

    public int TaskCount => _shape.Heads * _rowBlocks;

    public void RunTask(int task)
    {
        // Hand out the last row blocks first: under a causal mask they see the most keys, and starting
        // the longest tasks early keeps the threads evenly loaded at the end.
        var head = task % _shape.Heads;
        var rowBlock = _rowBlocks - 1 - (task / _shape.Heads);
        var rowStart = rowBlock * _rowsPerTask;
        var rows = Math.Min(_rowsPerTask, _shape.QueryRows - rowStart);
        var visible = _shape.Causal
            ? (int)Math.Min(_shape.KeyRows, (long)_shape.QueryOffset + rowStart + rows)
            : _shape.KeyRows;

        var headDim = _shape.HeadDim;
        var paddedRows = RoundUp(rows, _tileRows);
        var paddedKeys = RoundUp(visible, _tileColumns);
        var paddedDim = RoundUp(headDim, _tileColumns);
        var queryLength = paddedRows * headDim;
        var keyLength = paddedKeys * headDim;
        var scoreLength = paddedRows * paddedKeys;
        var valueLength = visible * paddedDim;
        var outputLength = paddedRows * paddedDim;
        var scratch = ArrayPool<float>.Shared.Rent(queryLength + keyLength + scoreLength + valueLength + outputLength);
        try
        {
            fixed (float* buffer = scratch)
            {
                var q = buffer;
                var k = q + queryLength;
                var scores = k + keyLength;
                var v = scores + scoreLength;
                var output = v + valueLength;
                var column = (long)head * headDim;

                PackQuery(rowStart, rows, paddedRows, column, q);
                PackKeys(visible, paddedKeys, column, k);
                PackValues(visible, paddedDim, column, v);

                // S (paddedRows, paddedKeys) = (scale·Q_h) · K_hᵀ, one panel of keys at a time.
                for (var p = 0; p < paddedKeys; p += _tileColumns)
                {
                    for (var i = 0; i < paddedRows; i += _tileRows)
                    {
                        _kernel(q + ((long)i * headDim), headDim, k + ((long)p * headDim), headDim, scores + ((long)i * paddedKeys) + p, paddedKeys, false);
                    }
                }

                for (var i = 0; i < rows; i++)
                {
                    MaskAndSoftmax(new Span<float>(scores + ((long)i * paddedKeys), visible), rowStart + i);
                }

                // O_h (paddedRows, paddedDim) = P · V_h over the visible keys.
                for (var p = 0; p < paddedDim; p += _tileColumns)
                {
                    for (var i = 0; i < paddedRows; i += _tileRows)
                    {
                        _kernel(scores + ((long)i * paddedKeys), paddedKeys, v + ((long)p * visible), visible, output + ((long)i * paddedDim) + p, paddedDim, false);
                    }
                }

                for (var i = 0; i < rows; i++)
                {
                    new ReadOnlySpan<float>(output + ((long)i * paddedDim), headDim)
                        .CopyTo(new Span<float>(_destination + ((long)(rowStart + i) * _width) + column, headDim));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>q (paddedRows, HeadDim) = scale · Q[rows, head], zero rows past the block.</summary>
    private void PackQuery(int rowStart, int rows, int paddedRows, long column, float* q)
    {
        var headDim = _shape.HeadDim;
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Multiply(
                new ReadOnlySpan<float>(_query + ((long)(rowStart + i) * _width) + column, headDim),
                _shape.Scale,
                new Span<float>(q + ((long)i * headDim), headDim));
        }

        new Span<float>(q + ((long)rows * headDim), (paddedRows - rows) * headDim).Clear();
    }

    /// <summary>K_hᵀ as micro-kernel panels: panel p holds keys [p·w, p·w + w) as (HeadDim, w), padding keys zero.</summary>
    private void PackKeys(int visible, int paddedKeys, long column, float* k)
    {
        var headDim = _shape.HeadDim;
        var tile = _tileColumns;
        new Span<float>(k, paddedKeys * headDim).Clear();
        for (var j = 0; j < visible; j++)
        {
            var source = _key + ((long)j * _width) + column;
            var target = k + ((long)(j / tile) * tile * headDim) + (j % tile);
            for (var c = 0; c < headDim; c++)
            {
                target[(long)c * tile] = source[c];
            }
        }
    }

    /// <summary>V_h as micro-kernel panels: panel p holds columns [p·w, p·w + w) as (visible, w), padding columns zero.</summary>
    private void PackValues(int visible, int paddedDim, long column, float* v)
    {
        var headDim = _shape.HeadDim;
        var tile = _tileColumns;
        for (var p = 0; p < paddedDim; p += tile)
        {
            var valid = Math.Min(tile, headDim - p);
            var panel = v + ((long)p * visible);
            for (var j = 0; j < visible; j++)
            {
                var target = new Span<float>(panel + ((long)j * tile), tile);
                new ReadOnlySpan<float>(_value + ((long)j * _width) + column + p, valid).CopyTo(target);
                target[valid..].Clear();
            }
        }
    }

    /// <summary>Masks the keys query <paramref name="row"/> may not see with −∞, then softmaxes the row in place.</summary>
    private void MaskAndSoftmax(Span<float> scores, int row)
    {
        if (_shape.Causal)
        {
            var seen = (int)Math.Min(scores.Length, (long)_shape.QueryOffset + row + 1);
            scores[seen..].Fill(float.NegativeInfinity);
        }

        if (_keyMask is not null)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                if (_keyMask[j] == 0)
                {
                    scores[j] = float.NegativeInfinity;
                }
            }
        }

        Softmax.ApplyRow(scores, scores);
    }
}
