namespace Galaxy.Kernels.Model;

/// <summary>Re-layouts of weight matrices done once at load time.</summary>
internal static class MatrixLayout
{
    /// <summary>Bᵀ (columns, rows) of row-major B (rows, columns).</summary>
    public static float[] Transpose(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        var result = new float[matrix.Length];
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
                        result[(c * rows) + r] = matrix[(r * columns) + c];
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Side by side: blocks each (rows, widths[i]) → (rows, Σ widths).</summary>
    public static float[] ConcatenateColumns(int rows, params float[][] blocks)
    {
        var width = blocks.Sum(b => b.Length / Math.Max(rows, 1));
        var result = new float[rows * width];
        var offset = 0;
        foreach (var block in blocks)
        {
            var blockWidth = block.Length / Math.Max(rows, 1);
            for (var r = 0; r < rows; r++)
            {
                block.AsSpan(r * blockWidth, blockWidth).CopyTo(result.AsSpan((r * width) + offset, blockWidth));
            }

            offset += blockWidth;
        }

        return result;
    }
}
