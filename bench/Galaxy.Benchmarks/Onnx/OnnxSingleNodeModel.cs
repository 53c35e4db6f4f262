using System.Buffers.Binary;
using Google.Protobuf;
using static Galaxy.Benchmarks.Onnx.ProtoFields;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// An ONNX model of one node: <c>Output = OpType(Inputs…, Initializers…; Attributes)</c>, every value fp32,
/// every shape fixed. <see cref="ToBytes"/> serializes it for an ONNX Runtime session.
/// </summary>
/// <remarks>
/// The node's inputs are the graph inputs followed by the initializers, in the order given, which is how
/// the operators benchmarked here list their data and their constants. Written field by field with
/// <see cref="CodedOutputStream"/> (see <see cref="ProtoFields"/>); field numbers are those of onnx.proto.
/// </remarks>
public sealed class OnnxSingleNodeModel
{
    private const int FloatElementType = 1; // TensorProto.DataType.FLOAT

    /// <summary>The operator, e.g. <c>MatMul</c>.</summary>
    public required string OpType { get; init; }

    /// <summary>The operator's domain: empty for the default ONNX domain, else e.g. <c>com.microsoft</c>.</summary>
    public string Domain { get; init; } = string.Empty;

    /// <summary>Graph inputs, fed at run time; the node's first inputs.</summary>
    public required IReadOnlyList<OnnxTensorSpec> Inputs { get; init; }

    /// <summary>Constants stored in the model; the node's remaining inputs.</summary>
    public IReadOnlyList<OnnxInitializer> Initializers { get; init; } = [];

    public IReadOnlyList<OnnxAttributeProto> Attributes { get; init; } = [];

    /// <summary>The node's only output, which is the graph's only output.</summary>
    public required OnnxTensorSpec Output { get; init; }

    /// <summary>Operator sets to import: at least the one <see cref="Domain"/> belongs to.</summary>
    public required IReadOnlyList<OnnxOpset> Opsets { get; init; }

    /// <summary>ModelProto.ir_version: 8 reads opsets up to 18, 9 up to 20.</summary>
    public long IrVersion { get; init; } = 8;

    public string GraphName { get; init; } = "galaxy_op";

    public string NodeName { get; init; } = "op";

    /// <summary>The serialized ModelProto.</summary>
    /// <exception cref="ArgumentException">An initializer's values do not match its shape.</exception>
    public byte[] ToBytes()
    {
        var node = Encode(output =>
        {
            foreach (var input in Inputs)
            {
                WriteString(output, 1, input.Name);                   // NodeProto.input
            }

            foreach (var initializer in Initializers)
            {
                WriteString(output, 1, initializer.Name);             // NodeProto.input
            }

            WriteString(output, 2, Output.Name);                      // NodeProto.output
            WriteString(output, 3, NodeName);                         // NodeProto.name
            WriteString(output, 4, OpType);                           // NodeProto.op_type
            foreach (var attribute in Attributes)
            {
                WriteMessage(output, 5, attribute.Encode());          // NodeProto.attribute
            }

            if (Domain.Length > 0)
            {
                WriteString(output, 7, Domain);                       // NodeProto.domain
            }
        });

        var graph = Encode(output =>
        {
            WriteMessage(output, 1, node);                            // GraphProto.node
            WriteString(output, 2, GraphName);                        // GraphProto.name
            foreach (var initializer in Initializers)
            {
                WriteMessage(output, 5, Tensor(initializer));         // GraphProto.initializer
            }

            foreach (var input in Inputs)
            {
                WriteMessage(output, 11, FloatTensorInfo(input));     // GraphProto.input
            }

            WriteMessage(output, 12, FloatTensorInfo(Output));        // GraphProto.output
        });

        var model = Encode(output =>
        {
            WriteInt64(output, 1, IrVersion);                         // ModelProto.ir_version
            WriteString(output, 2, "galaxy-benchmarks");              // ModelProto.producer_name
            WriteMessage(output, 7, graph);                           // ModelProto.graph
            foreach (var opset in Opsets)
            {
                WriteMessage(output, 8, Encode(o =>                   // ModelProto.opset_import
                {
                    WriteString(o, 1, opset.Domain);                  // OperatorSetIdProto.domain
                    WriteInt64(o, 2, opset.Version);                  // OperatorSetIdProto.version
                }));
            }
        });
        return model.ToByteArray();
    }

    private static ByteString Tensor(OnnxInitializer initializer)
    {
        var expected = initializer.Dims.Aggregate(1L, (count, dim) => count * dim);
        if (expected != initializer.Values.Length)
        {
            throw new ArgumentException(
                $"Initializer {initializer.Name} has {initializer.Values.Length} values but its shape [{string.Join(", ", initializer.Dims)}] holds {expected}.",
                nameof(initializer));
        }

        // raw_data is little-endian whatever the host's byte order.
        var values = initializer.Values.Span;
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        var rawData = ByteString.CopyFrom(raw);
        return Encode(output =>
        {
            foreach (var dim in initializer.Dims)
            {
                WriteInt64(output, 1, dim);                           // TensorProto.dims
            }

            WriteInt64(output, 2, FloatElementType);                  // TensorProto.data_type
            WriteString(output, 8, initializer.Name);                 // TensorProto.name
            WriteBytes(output, 9, rawData);                           // TensorProto.raw_data
        });
    }

    private static ByteString FloatTensorInfo(OnnxTensorSpec value)
    {
        var shape = Encode(output =>
        {
            foreach (var dim in value.Dims)
            {
                WriteMessage(output, 1, Encode(d => WriteInt64(d, 1, dim))); // TensorShapeProto.dim { dim_value }
            }
        });
        var tensorType = Encode(output =>
        {
            WriteInt64(output, 1, FloatElementType);                  // TypeProto.Tensor.elem_type
            WriteMessage(output, 2, shape);                           // TypeProto.Tensor.shape
        });
        var type = Encode(output => WriteMessage(output, 1, tensorType)); // TypeProto.tensor_type
        return Encode(output =>
        {
            WriteString(output, 1, value.Name);                       // ValueInfoProto.name
            WriteMessage(output, 2, type);                            // ValueInfoProto.type
        });
    }
}
