namespace Galaxy.Benchmarks.Onnx;

/// <summary>A constant fp32 tensor stored in the model (a graph initializer), e.g. a weight.</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="Dims">Its dimensions, outermost first.</param>
/// <param name="Values">Its values, row-major; as many as the product of <paramref name="Dims"/>.</param>
public sealed record OnnxInitializer(string Name, IReadOnlyList<long> Dims, ReadOnlyMemory<float> Values);
