using System.Buffers;
using System.Numerics.Tensors;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// One <see cref="Attention.Apply"/> call cut into tasks of (one head) × (a block of query rows); tasks
/// write disjoint parts of the destination and need no synchronisation.
/// </summary>
internal sealed unsafe class AttentionJob
{
    /// <summary>Query rows per task: small enough to balance causal work, large enough to amortise a task.</summary>
    private const int RowsPerTask = 16;

    private readonly float* _query;
    private readonly float* _key;
    private readonly float* _value;
    private readonly float* _destination;
    private readonly byte* _keyMask;
    private readonly AttentionShape _shape;
    private readonly int _width;
    private readonly float _scale;
    private readonly int _rowBlocks;

    public AttentionJob(float* query, float* key, float* value, float* destination, byte* keyMask, AttentionShape shape)
    {
        _query = query;
        _key = key;
        _value = value;
        _destination = destination;
        _keyMask = keyMask;
        _shape = shape;
        _width = shape.Width;
        _scale = shape.Scale;
        _rowBlocks = (shape.QueryRows + RowsPerTask - 1) / RowsPerTask;
    }

    public int TaskCount => _shape.Heads * _rowBlocks;

    public void RunTask(int task)
    {
        // Hand out the last row blocks first: under a causal mask they see the most keys, and starting
        // the longest tasks early keeps the threads evenly loaded at the end.
        var head = task % _shape.Heads;
        var rowBlock = _rowBlocks - 1 - (task / _shape.Heads);
        var rowStart = rowBlock * RowsPerTask;
        var rowEnd = Math.Min(rowStart + RowsPerTask, _shape.QueryRows);
        var scores = ArrayPool<float>.Shared.Rent(_shape.KeyRows);
        try
        {
            for (var row = rowStart; row < rowEnd; row++)
            {
                AttendRow(head, row, scores);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    // O[row, head] = Σ_j softmax_j(scale · q·k_j) · v_j over the keys this row may see.
    private void AttendRow(int head, int row, float[] scoreBuffer)
    {
        var headDim = _shape.HeadDim;
        var column = (long)head * headDim;
        var output = new Span<float>(_destination + ((long)row * _width) + column, headDim);
        output.Clear();

        var visibleKeys = _shape.Causal
            ? (int)Math.Min(_shape.KeyRows, (long)_shape.QueryOffset + row + 1)
            : _shape.KeyRows;
        var query = new ReadOnlySpan<float>(_query + ((long)row * _width) + column, headDim);
        var scores = scoreBuffer.AsSpan(0, visibleKeys);
        for (var j = 0; j < scores.Length; j++)
        {
            scores[j] = _keyMask is null || _keyMask[j] != 0
                ? _scale * TensorPrimitives.Dot(query, KeyOrValueRow(_key, j, column))
                : float.NegativeInfinity;
        }

        Softmax.ApplyRow(scores, scores);
        for (var j = 0; j < scores.Length; j++)
        {
            if (scores[j] != 0f)
            {
                TensorPrimitives.MultiplyAdd(KeyOrValueRow(_value, j, column), scores[j], output, output);
            }
        }
    }

    private ReadOnlySpan<float> KeyOrValueRow(float* matrix, int row, long column) =>
        new(matrix + ((long)row * _width) + column, _shape.HeadDim);
}
