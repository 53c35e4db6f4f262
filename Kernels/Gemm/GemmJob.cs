using System.Numerics.Tensors;

namespace Galaxy.Kernels.Gemm;

/// <summary>
/// One SGEMM call cut into tasks: task t covers a block of rows × a group of B panels,
/// so tasks write disjoint parts of C and need no synchronisation.
/// </summary>
internal sealed unsafe class GemmJob
{
    private readonly float* _a;
    private readonly int _rows;
    private readonly PackedMatrix _b;
    private readonly float* _c;
    private readonly float* _bias;
    private readonly bool _accumulate;
    private readonly int _tileRows;
    private readonly int _tileColumns;
    private readonly delegate*<float*, nint, float*, int, float*, nint, bool, void> _kernel;
    private readonly delegate*<float*, float*, int, float*, bool, void> _rowKernel;

    private int _rowBlock;
    private int _rowBlocks;
    private int _panelsPerTask;
    private int _panelGroups;

    public GemmJob(float* a, int rows, PackedMatrix b, float* c, float* bias, bool accumulate)
    {
        _a = a;
        _rows = rows;
        _b = b;
        _c = c;
        _bias = bias;
        _accumulate = accumulate;
        _tileRows = GemmKernels.TileRows(b.Kernel);
        _tileColumns = b.PanelWidth;
        _kernel = GemmKernels.MicroKernel(b.Kernel);
        _rowKernel = GemmKernels.RowKernel(b.Kernel);
    }

    public int TaskCount => _rowBlocks * _panelGroups;

    /// <summary>Chooses the task grid: enough tasks to keep every thread busy, each as large as that allows.</summary>
    public void Plan(int threads)
    {
        _rowBlock = _tileRows * Sgemm.RowBlockTiles;
        _rowBlocks = (_rows + _rowBlock - 1) / _rowBlock;
        var wanted = threads == 1 ? 1 : threads * 4;
        var groups = Math.Clamp((wanted + _rowBlocks - 1) / _rowBlocks, 1, _b.PanelCount);
        _panelsPerTask = Math.Min((_b.PanelCount + groups - 1) / groups, Sgemm.MaxPanelsPerTask);
        _panelGroups = (_b.PanelCount + _panelsPerTask - 1) / _panelsPerTask;
    }

    public void RunTask(int task)
    {
        var rowBlock = task / _panelGroups;
        var group = task % _panelGroups;
        var row0 = rowBlock * _rowBlock;
        var row1 = Math.Min(row0 + _rowBlock, _rows);
        var panel0 = group * _panelsPerTask;
        var panel1 = Math.Min(panel0 + _panelsPerTask, _b.PanelCount);
        var n = _b.Columns;
        var k = _b.Rows;
        var column0 = panel0 * _tileColumns;
        var column1 = Math.Min(panel1 * _tileColumns, n);

        var preloaded = Prefill(row0, row1, column0, column1);

        var depthBlocks = (k + Sgemm.DepthBlock - 1) / Sgemm.DepthBlock;
        var depth = (k + depthBlocks - 1) / depthBlocks;
        var edgeC = stackalloc float[_tileRows * _tileColumns];
        RunBlocks(row0, row1, panel0, panel1, preloaded, depth, edgeC);
    }

    private void RunBlocks(int row0, int row1, int panel0, int panel1, bool preloaded, int depth, float* edgeC)
    {
        var n = _b.Columns;
        var k = _b.Rows;
        for (var k0 = 0; k0 < k; k0 += depth)
        {
            var kc = Math.Min(depth, k - k0);
            var load = preloaded || k0 > 0;
            for (var p = panel0; p < panel1; p++)
            {
                var bPanel = _b.Panel(p) + ((long)k0 * _tileColumns);
                var firstColumn = p * _tileColumns;
                var columns = Math.Min(_tileColumns, n - firstColumn);
                for (var i = row0; i < row1; i += _tileRows)
                {
                    var rows = Math.Min(_tileRows, row1 - i);
                    var aTile = _a + ((long)i * k) + k0;
                    var cTile = _c + ((long)i * n) + firstColumn;
                    if (rows == _tileRows && columns == _tileColumns)
                    {
                        _kernel(aTile, k, bPanel, kc, cTile, n, load);
                    }
                    else
                    {
                        EdgeTile(aTile, rows, bPanel, kc, cTile, columns, load, edgeC);
                    }
                }
            }
        }
    }

    /// <summary>
    /// A partial tile. Fewer rows than a tile run one row at a time (decoding has M = 1); a ragged last
    /// panel goes through a stack tile so only its valid columns are written back.
    /// </summary>
    private void EdgeTile(float* aTile, int rows, float* bPanel, int kc, float* cTile, int columns, bool load, float* edgeC)
    {
        var n = (nint)_b.Columns;
        var k = (nint)_b.Rows;
        var full = columns == _tileColumns;
        if (load && !full)
        {
            for (var r = 0; r < rows; r++)
            {
                new ReadOnlySpan<float>(cTile + (r * n), columns).CopyTo(new Span<float>(edgeC + (r * _tileColumns), _tileColumns));
            }
        }

        var target = full ? cTile : edgeC;
        var targetStride = full ? n : _tileColumns;
        if (rows == _tileRows)
        {
            _kernel(aTile, k, bPanel, kc, target, targetStride, load);
        }
        else
        {
            for (var r = 0; r < rows; r++)
            {
                _rowKernel(aTile + (r * k), bPanel, kc, target + (r * targetStride), load);
            }
        }

        if (!full)
        {
            for (var r = 0; r < rows; r++)
            {
                new ReadOnlySpan<float>(edgeC + (r * _tileColumns), columns).CopyTo(new Span<float>(cTile + (r * n), columns));
            }
        }
    }

    /// <summary>Puts the bias (and, when accumulating, the old C) into this task's part of C; true when the kernels must load C.</summary>
    private bool Prefill(int row0, int row1, int column0, int column1)
    {
        if (_bias is null)
        {
            return _accumulate;
        }

        var n = (long)_b.Columns;
        var width = column1 - column0;
        var bias = new ReadOnlySpan<float>(_bias + column0, width);
        for (var r = row0; r < row1; r++)
        {
            var row = new Span<float>(_c + (r * n) + column0, width);
            if (_accumulate)
            {
                TensorPrimitives.Add(row, bias, row);
            }
            else
            {
                bias.CopyTo(row);
            }
        }

        return true;
    }
}
