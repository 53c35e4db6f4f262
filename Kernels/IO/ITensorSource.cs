namespace Galaxy.Kernels.IO;

/// <summary>
/// Named fp32 tensors read on demand from weight files (memory-mapped safetensors, one file or shards).
/// A reader materialises only what is asked for, so a device can load just its slice of each layer.
/// Every read converts F16/BF16 to fp32.
/// </summary>
public interface ITensorSource : IDisposable
{
    /// <summary>All tensor names, in file order.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>True and the tensor's header entry when <paramref name="name"/> exists.</summary>
    bool TryGetInfo(string name, out TensorInfo info);

    /// <summary>The header entry of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message names it and the file(s).</exception>
    TensorInfo Info(string name);

    /// <summary>The whole tensor, row-major, into <paramref name="destination"/> (exactly ElementCount long).</summary>
    void Read(string name, Span<float> destination);

    /// <summary>
    /// Rows <c>[rowStart, rowStart + rowCount)</c> of a tensor viewed as [dim0, rest] (a 1-D tensor's rows
    /// are its elements) into <paramref name="destination"/> (rowCount × rest).
    /// </summary>
    void ReadRows(string name, int rowStart, int rowCount, Span<float> destination);

    /// <summary>
    /// Columns <c>[columnStart, columnStart + columnCount)</c> of a 2-D tensor [rows, columns] into
    /// <paramref name="destination"/> (rows × columnCount, row-major).
    /// </summary>
    void ReadColumns(string name, int columnStart, int columnCount, Span<float> destination);
}
