namespace Galaxy.Kernels.Model;

/// <summary>Re-layouts of weight matrices done once at load time.</summary>
internal static class MatrixLayout
{
    /// <summary>
    /// Writes Bᵀ of row-major B (rows, columns) into <paramref name="destination"/> as a block of
    /// (columns, rows) whose first element is at column <paramref name="destinationColumn"/> of rows
    /// <paramref name="destinationStride"/> floats long.
    /// </summary>
    public static void TransposeInto(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> destination, int destinationStride, int destinationColumn)
    {
        const int Block = 32;
        for (var r0 = 0; r0 < rows; r0 += Block)
        {
            for (var c0 = 0; c0 < columns; c0 += Block)
            {
                var r1 = Math.Min(r0 + Block, rows);
                var c1 = Math.Min(c0 + Block, columns);
                for (var r = r0; r < r1; r++)
                {
                    for (var c = c0; c < c1; c++)
                    {
                        destination[(c * destinationStride) + destinationColumn + r] = matrix[(r * columns) + c];
                    }
                }
            }
        }
    }

    /// <summary>Copies row-major <paramref name="block"/> (rows, columns) into <paramref name="destination"/> at column <paramref name="destinationColumn"/> of rows <paramref name="destinationStride"/> long.</summary>
    public static void CopyInto(ReadOnlySpan<float> block, int rows, int columns, Span<float> destination, int destinationStride, int destinationColumn)
    {
        for (var r = 0; r < rows; r++)
        {
            block.Slice(r * columns, columns).CopyTo(destination.Slice((r * destinationStride) + destinationColumn, columns));
        }
    }
}
