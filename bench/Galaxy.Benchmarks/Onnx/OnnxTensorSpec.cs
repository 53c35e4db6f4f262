namespace Galaxy.Benchmarks.Onnx;

/// <summary>A named fp32 graph input or output and its fixed shape.</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="Dims">Its dimensions, outermost first; all known (no symbolic sizes).</param>
public sealed record OnnxTensorSpec(string Name, IReadOnlyList<long> Dims)
{
    /// <summary>Number of elements: the product of <see cref="Dims"/>.</summary>
    public long ElementCount => Dims.Aggregate(1L, (count, dim) => count * dim);
}
