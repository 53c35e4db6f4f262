namespace Galaxy.Kernels.IO;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name, e.g. <c>encoder.layer.0.attention.self.query.weight</c>.</param>
/// <param name="DTypeName">The dtype as written in the file ("F32", "BF16", "I64", …).</param>
/// <param name="DType">The dtype when Galaxy can read it as fp32 weights, else null.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Source">The file that holds the tensor.</param>
public sealed record TensorInfo(string Name, string DTypeName, SafeTensorsDType? DType, int[] Shape, string Source)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/>.</summary>
    public long ElementCount => Shape.Aggregate(1L, (count, dimension) => count * dimension);

    /// <summary>The shape as text, e.g. <c>[384, 1536]</c>, for error messages.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
