using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;

namespace Galaxy.Benchmarks.Hmp;

/// <summary>
/// A model's seeded weights (<see cref="SyntheticCheckpoint"/>) held in memory under their checkpoint names, so
/// simulated devices load their slices through the same <see cref="TransformerWeights.Load"/> path as from a
/// safetensors file, without writing one.
/// </summary>
public sealed class SyntheticTensorSource : ITensorSource
{
    private readonly Dictionary<string, (int[] Shape, float[] Data)> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    private SyntheticTensorSource()
    {
    }

    public IReadOnlyList<string> Names => _names;

    /// <summary>Every tensor of <paramref name="config"/>'s layout with <see cref="SyntheticCheckpoint.Values"/> of <paramref name="seed"/>.</summary>
    public static SyntheticTensorSource Create(ModelConfig config, int seed)
    {
        var source = new SyntheticTensorSource();
        foreach (var (name, shape) in SyntheticCheckpoint.Layout(config))
        {
            source._names.Add(name);
            source._tensors[name] = (shape, SyntheticCheckpoint.Values(name, shape, seed));
        }

        return source;
    }

    public bool TryGetInfo(string name, out TensorInfo info)
    {
        if (_tensors.TryGetValue(name, out var tensor))
        {
            info = new TensorInfo(name, "F32", SafeTensorsDType.F32, tensor.Shape, "memory");
            return true;
        }

        info = null!;
        return false;
    }

    public TensorInfo Info(string name) =>
        TryGetInfo(name, out var info) ? info : throw new KeyNotFoundException($"No tensor '{name}' in the synthetic model.");

    public void Read(string name, Span<float> destination) => Tensor(name).Data.CopyTo(destination);

    public void ReadRows(string name, int rowStart, int rowCount, Span<float> destination)
    {
        var (shape, data) = Tensor(name);
        var rowLength = shape.Skip(1).Aggregate(1, (a, b) => a * b);
        data.AsSpan(rowStart * rowLength, rowCount * rowLength).CopyTo(destination);
    }

    public void ReadColumns(string name, int columnStart, int columnCount, Span<float> destination)
    {
        var (shape, data) = Tensor(name);
        for (var r = 0; r < shape[0]; r++)
        {
            data.AsSpan((r * shape[1]) + columnStart, columnCount).CopyTo(destination.Slice(r * columnCount, columnCount));
        }
    }

    public void Dispose()
    {
    }

    private (int[] Shape, float[] Data) Tensor(string name) =>
        _tensors.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"No tensor '{name}' in the synthetic model.");
}
