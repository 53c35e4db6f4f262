namespace Galaxy.Kernels.Model;

/// <summary>
/// Two grow-only buffers a load reuses for every matrix (one for what is read from the file, one to assemble the
/// GEMM operand before packing), so loading leaves no trail of large temporaries and peaks near the model's size.
/// </summary>
internal sealed class LoadScratch
{
    private float[] _read = [];
    private float[] _matrix = [];

    /// <summary>A buffer of <paramref name="length"/> floats for file reads.</summary>
    public Span<float> Read(int length) => Grow(ref _read, length);

    /// <summary>A buffer of <paramref name="length"/> floats to assemble a matrix in (distinct from <see cref="Read"/>).</summary>
    public Span<float> Matrix(int length) => Grow(ref _matrix, length);

    private static Span<float> Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<float>(length);
        }

        return buffer.AsSpan(0, length);
    }
}
