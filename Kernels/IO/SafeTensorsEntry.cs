namespace Galaxy.Kernels.IO;

/// <summary>
/// One validated header entry: its public <see cref="TensorInfo"/> plus where its bytes lie, relative to the
/// start of the data region. Keeps its own copy of the shape, so a caller that edits
/// <see cref="TensorInfo.Shape"/> cannot redirect a read.
/// </summary>
internal sealed class SafeTensorsEntry
{
    private readonly int[] _shape;

    public SafeTensorsEntry(TensorInfo info, long begin, long end)
    {
        Info = info;
        Begin = begin;
        End = end;
        _shape = (int[])info.Shape.Clone();
        ShapeText = info.ShapeText;
        ElementCount = info.ElementCount;
        Rows = _shape.Length == 0 ? 1 : _shape[0];
        RowLength = 1;
        for (var d = 1; d < _shape.Length; d++)
        {
            RowLength *= _shape[d];
        }
    }

    public TensorInfo Info { get; }

    public string Name => Info.Name;

    /// <summary>Offset of the first byte in the data region.</summary>
    public long Begin { get; }

    /// <summary>Offset one past the last byte in the data region.</summary>
    public long End { get; }

    public int Rank => _shape.Length;

    public string ShapeText { get; }

    public long ElementCount { get; }

    /// <summary>dim0 of the [dim0, rest] row view (1 for a scalar).</summary>
    public long Rows { get; }

    /// <summary>rest of the [dim0, rest] row view: the product of every dimension after the first.</summary>
    public long RowLength { get; }

    public int Dimension(int axis) => _shape[axis];
}
