using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Galaxy.Kernels.Gemm;

/// <summary>
/// A constant right-hand matrix B (K rows × N columns, row-major) re-laid once for the SGEMM
/// micro-kernel: N is cut into panels as wide as the kernel's tile, each panel stored k-major
/// (<c>panel[k, 0..width)</c> contiguous), the last panel zero-padded. Weights are packed at load
/// time, never per call.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private const int AlignmentFloats = 16; // 64 bytes: one cache line, one zmm load

    private readonly float[] _storage;
    private readonly int _offset;

    private PackedMatrix(int rows, int columns, GemmKernelKind kernel)
    {
        Rows = rows;
        Columns = columns;
        Kernel = kernel;
        PanelWidth = GemmKernels.TileColumns(kernel);
        PanelCount = (columns + PanelWidth - 1) / PanelWidth;
        var length = (long)PanelCount * PanelWidth * rows;
        if (length > Array.MaxLength - AlignmentFloats)
        {
            throw new ArgumentException($"A {rows}×{columns} matrix is too large to pack into one buffer.");
        }

        // Pinned so the kernels can hold raw pointers; over-allocated so the panels start on a cache line.
        _storage = GC.AllocateArray<float>((int)length + AlignmentFloats, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _offset = (int)(((AlignmentFloats * sizeof(float)) - (address % (AlignmentFloats * sizeof(float)))) % (AlignmentFloats * sizeof(float)) / sizeof(float));
    }

    /// <summary>K: rows of B, the inner dimension of the product.</summary>
    public int Rows { get; }

    /// <summary>N: columns of B and of C.</summary>
    public int Columns { get; }

    /// <summary>The micro-kernel this layout is made for.</summary>
    public GemmKernelKind Kernel { get; }

    /// <summary>Columns per panel (the kernel's tile width).</summary>
    public int PanelWidth { get; }

    /// <summary>Number of panels: ⌈N / <see cref="PanelWidth"/>⌉.</summary>
    public int PanelCount { get; }

    internal float* Panel(int panel) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage)) + _offset + ((long)panel * PanelWidth * Rows);

    /// <summary>Packs row-major <paramref name="matrix"/> (<paramref name="rows"/> × <paramref name="columns"/>) for <paramref name="kernel"/> (default: the best kernel here).</summary>
    /// <exception cref="ArgumentException">The length is not rows × columns, a dimension is not positive, or the kernel cannot run here.</exception>
    public static PackedMatrix Pack(ReadOnlySpan<float> matrix, int rows, int columns, GemmKernelKind? kernel = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if ((long)rows * columns != matrix.Length)
        {
            throw new ArgumentException($"Matrix has {matrix.Length} elements but {rows}×{columns} = {(long)rows * columns} were declared.", nameof(matrix));
        }

        var kind = kernel ?? GemmKernels.Best;
        if (!GemmKernels.IsSupported(kind))
        {
            throw new ArgumentException($"The {kind} GEMM kernel cannot run on this machine.", nameof(kernel));
        }

        var packed = new PackedMatrix(rows, columns, kind);
        var width = packed.PanelWidth;
        var data = packed._storage.AsSpan(packed._offset);
        for (var p = 0; p < packed.PanelCount; p++)
        {
            var firstColumn = p * width;
            var valid = Math.Min(width, columns - firstColumn);
            var panel = data.Slice(p * width * rows, width * rows);
            for (var k = 0; k < rows; k++)
            {
                matrix.Slice((k * columns) + firstColumn, valid).CopyTo(panel.Slice(k * width, valid));
            }
        }

        return packed;
    }

    /// <summary>Rebuilds the row-major K × N matrix (for checks and for slicing a packed weight).</summary>
    public float[] Unpack()
    {
        var result = new float[Rows * Columns];
        var data = _storage.AsSpan(_offset);
        for (var p = 0; p < PanelCount; p++)
        {
            var firstColumn = p * PanelWidth;
            var valid = Math.Min(PanelWidth, Columns - firstColumn);
            for (var k = 0; k < Rows; k++)
            {
                data.Slice((p * PanelWidth * Rows) + (k * PanelWidth), valid).CopyTo(result.AsSpan((k * Columns) + firstColumn, valid));
            }
        }

        return result;
    }
}
