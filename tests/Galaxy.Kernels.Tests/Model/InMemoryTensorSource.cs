using Galaxy.Kernels.IO;

namespace Galaxy.Kernels.Tests.Model;

/// <summary>An <see cref="ITensorSource"/> over arrays, so model tests need no files.</summary>
internal sealed class InMemoryTensorSource : ITensorSource
{
    private readonly Dictionary<string, (int[] Shape, float[] Data)> _tensors = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public static InMemoryTensorSource Synthetic(Galaxy.Kernels.Model.ModelConfig config, int seed)
    {
        var source = new InMemoryTensorSource();
        foreach (var (name, shape) in Galaxy.Kernels.Model.SyntheticCheckpoint.Layout(config))
        {
            source.Set(name, shape, Galaxy.Kernels.Model.SyntheticCheckpoint.Values(name, shape, seed));
        }

        return source;
    }

    public void Set(string name, int[] shape, float[] data)
    {
        if (!_tensors.ContainsKey(name))
        {
            _names.Add(name);
        }

        _tensors[name] = (shape, data);
    }

    public void Remove(string name)
    {
        _tensors.Remove(name);
        _names.Remove(name);
    }

    public float[] Get(string name) => _tensors[name].Data;

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

    public TensorInfo Info(string name) => TryGetInfo(name, out var info) ? info : throw new KeyNotFoundException(name);

    public void Read(string name, Span<float> destination) => _tensors[name].Data.CopyTo(destination);

    public void ReadRows(string name, int rowStart, int rowCount, Span<float> destination)
    {
        var (shape, data) = _tensors[name];
        var rowLength = shape.Length == 1 ? 1 : shape.Skip(1).Aggregate(1, (a, b) => a * b);
        data.AsSpan(rowStart * rowLength, rowCount * rowLength).CopyTo(destination);
    }

    public void ReadColumns(string name, int columnStart, int columnCount, Span<float> destination)
    {
        var (shape, data) = _tensors[name];
        for (var r = 0; r < shape[0]; r++)
        {
            data.AsSpan((r * shape[1]) + columnStart, columnCount).CopyTo(destination.Slice(r * columnCount, columnCount));
        }
    }

    public void Dispose()
    {
    }
}
