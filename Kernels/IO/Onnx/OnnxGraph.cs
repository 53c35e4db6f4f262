using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Galaxy.Kernels.IO.Onnx.Proto;
using Google.Protobuf;

namespace Galaxy.Kernels.IO.Onnx;

/// <summary>
/// A parsed ONNX graph with the indexes a structural walk needs: which node produces a value, which
/// nodes consume it, and the value of every constant (an initializer or a <c>Constant</c> node's output).
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly HashSet<string> _initializers = new(StringComparer.Ordinal);

    private OnnxGraph(string source, ModelProto model)
    {
        Source = source;
        Model = model;
        Graph = model.Graph;
        foreach (var initializer in Graph.Initializer)
        {
            _constants[initializer.Name] = initializer;
            _initializers.Add(initializer.Name);
        }

        foreach (var node in Graph.Node)
        {
            foreach (var output in node.Output)
            {
                _producers[output] = node;
            }

            foreach (var input in node.Input)
            {
                if (input.Length == 0)
                {
                    continue; // an omitted optional input
                }

                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }

                list.Add(node);
            }

            if (node.OpType == "Constant" && node.Output.Count == 1 && ConstantValue(node) is { } value)
            {
                _constants[node.Output[0]] = value;
            }
        }
    }

    /// <summary>Where the model came from, for error messages.</summary>
    public string Source { get; }

    public ModelProto Model { get; }

    public GraphProto Graph { get; }

    /// <summary>The initializers, in file order.</summary>
    public IEnumerable<TensorProto> Initializers => Graph.Initializer;

    /// <summary>Parses the ONNX file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a protobuf ModelProto, or has no graph.</exception>
    public static OnnxGraph Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"ONNX model '{fullPath}' does not exist.", fullPath);
        }

        ModelProto model;
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{fullPath}' is not a readable ONNX model (truncated or corrupt protobuf: {e.Message}).", e);
        }

        return FromModel(model, fullPath);
    }

    /// <summary>Wraps an already parsed <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The model has no graph or no nodes.</exception>
    public static OnnxGraph FromModel(ModelProto model, string source)
    {
        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new InvalidDataException($"'{source}' is not a usable ONNX model: it has no graph nodes (ir_version {model.IrVersion}).");
        }

        return new OnnxGraph(source, model);
    }

    /// <summary>The node whose output is <paramref name="value"/>, or null for graph inputs, initializers and unknown names.</summary>
    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>The nodes that read <paramref name="value"/>, in graph order.</summary>
    public IReadOnlyList<NodeProto> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>True and the tensor when <paramref name="value"/> is an initializer or a <c>Constant</c> node's output.</summary>
    public bool TryGetConstant(string value, [NotNullWhen(true)] out TensorProto? tensor) => _constants.TryGetValue(value, out tensor);

    /// <summary>True when <paramref name="value"/> names an initializer (not a <c>Constant</c> node's output).</summary>
    public bool IsInitializer(string value) => _initializers.Contains(value) && !_producers.ContainsKey(value);

    /// <summary>The fp32 elements of <paramref name="tensor"/>, row-major.</summary>
    /// <exception cref="InvalidDataException">Not an fp32 tensor, data stored externally, or the element count does not match the dims.</exception>
    public float[] ReadFloats(TensorProto tensor)
    {
        Require(tensor, TensorProto.Types.DataType.Float);
        var count = ElementCount(tensor);
        float[] values;
        if (tensor.RawData.Length > 0)
        {
            CheckLength(tensor, tensor.RawData.Length, count * sizeof(float));
            values = new float[count];
            var raw = tensor.RawData.Span;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
            }
        }
        else
        {
            CheckLength(tensor, tensor.FloatData.Count, count);
            values = [.. tensor.FloatData];
        }

        return values;
    }

    /// <summary>The elements of an int64 or int32 tensor (shape constants), widened to long.</summary>
    /// <exception cref="InvalidDataException">Not an integer tensor, or the element count does not match the dims.</exception>
    public long[] ReadIntegers(TensorProto tensor)
    {
        var count = ElementCount(tensor);
        var type = (TensorProto.Types.DataType)tensor.DataType;
        if (type is not (TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32))
        {
            throw new InvalidDataException($"Constant '{tensor.Name}' in '{Source}' is {type}, not an integer tensor.");
        }

        RejectExternal(tensor);
        var size = type == TensorProto.Types.DataType.Int64 ? sizeof(long) : sizeof(int);
        var values = new long[count];
        if (tensor.RawData.Length > 0)
        {
            CheckLength(tensor, tensor.RawData.Length, count * size);
            var raw = tensor.RawData.Span;
            for (var i = 0; i < count; i++)
            {
                values[i] = size == sizeof(long)
                    ? BinaryPrimitives.ReadInt64LittleEndian(raw[(i * size)..])
                    : BinaryPrimitives.ReadInt32LittleEndian(raw[(i * size)..]);
            }
        }
        else if (type == TensorProto.Types.DataType.Int64)
        {
            CheckLength(tensor, tensor.Int64Data.Count, count);
            tensor.Int64Data.CopyTo(values, 0);
        }
        else
        {
            CheckLength(tensor, tensor.Int32Data.Count, count);
            for (var i = 0; i < count; i++)
            {
                values[i] = tensor.Int32Data[i];
            }
        }

        return values;
    }

    /// <summary>The dims of <paramref name="tensor"/> as ints.</summary>
    public static int[] Shape(TensorProto tensor) => [.. tensor.Dims.Select(d => checked((int)d))];

    private static TensorProto? ConstantValue(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "value":
                    return attribute.T;
                case "value_float":
                    return new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, FloatData = { attribute.F } };
                case "value_floats":
                    return new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, Dims = { attribute.Floats.Count }, FloatData = { attribute.Floats } };
                case "value_int":
                    return new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, Int64Data = { attribute.I } };
                case "value_ints":
                    return new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64, Dims = { attribute.Ints.Count }, Int64Data = { attribute.Ints } };
                default:
                    break;
            }
        }

        return null;
    }

    private int ElementCount(TensorProto tensor)
    {
        var count = 1L;
        foreach (var dim in tensor.Dims)
        {
            if (dim < 0)
            {
                throw new InvalidDataException($"Tensor '{tensor.Name}' in '{Source}' has a negative dimension [{string.Join(", ", tensor.Dims)}].");
            }

            count *= dim;
        }

        return count <= Array.MaxLength
            ? (int)count
            : throw new InvalidDataException($"Tensor '{tensor.Name}' in '{Source}' has {count} elements, more than one array holds.");
    }

    private void Require(TensorProto tensor, TensorProto.Types.DataType type)
    {
        if ((TensorProto.Types.DataType)tensor.DataType != type)
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' in '{Source}' is {(TensorProto.Types.DataType)tensor.DataType}; the importer reads {type} weights.");
        }

        RejectExternal(tensor);
    }

    private void RejectExternal(TensorProto tensor)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' in '{Source}' keeps its data in an external file, which the importer does not read.");
        }
    }

    private void CheckLength(TensorProto tensor, int actual, int expected)
    {
        if (actual != expected)
        {
            throw new InvalidDataException($"Tensor '{tensor.Name}' in '{Source}' has dims [{string.Join(", ", tensor.Dims)}] but {actual} {(tensor.RawData.Length > 0 ? "bytes" : "values")} where {expected} were expected.");
        }
    }
}
