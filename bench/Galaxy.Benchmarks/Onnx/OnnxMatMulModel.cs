using System.Buffers.Binary;
using Google.Protobuf;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// Builds the serialized ONNX model of one product, <c>Y (M,N) = MatMul(X (M,K), B (K,N))</c>,
/// with B stored as an fp32 initializer and X as the only input.
/// </summary>
/// <remarks>
/// Written field by field with <see cref="CodedOutputStream"/> so the benchmark needs no generated
/// ONNX classes. Field numbers are those of onnx.proto; each nested message is encoded on its own
/// and then written as a length-delimited field of its parent.
/// </remarks>
public static class OnnxMatMulModel
{
    public const string InputName = "X";
    public const string WeightName = "B";
    public const string OutputName = "Y";

    private const long IrVersion = 8;
    private const long OpsetVersion = 13;
    private const int FloatElementType = 1; // TensorProto.DataType.FLOAT

    /// <summary>The model bytes for an <paramref name="m"/>-row X and the row-major <paramref name="b"/> (<paramref name="k"/> × <paramref name="n"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="b"/> does not hold k × n values, or a size is not positive.</exception>
    public static byte[] Build(ReadOnlySpan<float> b, int m, int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if ((long)k * n != b.Length)
        {
            throw new ArgumentException($"B has {b.Length} values but {k}×{n} = {(long)k * n} were declared.", nameof(b));
        }

        var weight = Tensor(WeightName, [k, n], b);
        var graph = Encode(output =>
        {
            WriteMessage(output, 1, Node("matmul", "MatMul", [InputName, WeightName], [OutputName])); // GraphProto.node
            WriteString(output, 2, "galaxy_matmul");                                                   // GraphProto.name
            WriteMessage(output, 5, weight);                                                           // GraphProto.initializer
            WriteMessage(output, 11, FloatTensorInfo(InputName, [m, k]));                             // GraphProto.input
            WriteMessage(output, 12, FloatTensorInfo(OutputName, [m, n]));                            // GraphProto.output
        });

        var model = Encode(output =>
        {
            WriteInt64(output, 1, IrVersion);                         // ModelProto.ir_version
            WriteString(output, 2, "galaxy-benchmarks");              // ModelProto.producer_name
            WriteMessage(output, 7, graph);                           // ModelProto.graph
            WriteMessage(output, 8, Encode(opset =>                   // ModelProto.opset_import
            {
                WriteString(opset, 1, string.Empty);                  // OperatorSetIdProto.domain: the default ONNX domain
                WriteInt64(opset, 2, OpsetVersion);                   // OperatorSetIdProto.version
            }));
        });
        return model.ToByteArray();
    }

    private static ByteString Node(string name, string opType, string[] inputs, string[] outputs) => Encode(output =>
    {
        foreach (var input in inputs)
        {
            WriteString(output, 1, input);                            // NodeProto.input
        }

        foreach (var result in outputs)
        {
            WriteString(output, 2, result);                           // NodeProto.output
        }

        WriteString(output, 3, name);                                 // NodeProto.name
        WriteString(output, 4, opType);                               // NodeProto.op_type
    });

    private static ByteString Tensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        // raw_data is little-endian whatever the host's byte order.
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        var rawData = ByteString.CopyFrom(raw);
        return Encode(output =>
        {
            foreach (var dim in dims)
            {
                WriteInt64(output, 1, dim);                           // TensorProto.dims
            }

            WriteInt64(output, 2, FloatElementType);                  // TensorProto.data_type
            WriteString(output, 8, name);                             // TensorProto.name
            WriteBytes(output, 9, rawData);                           // TensorProto.raw_data
        });
    }

    private static ByteString FloatTensorInfo(string name, long[] dims)
    {
        var shape = Encode(output =>
        {
            foreach (var dim in dims)
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
            WriteString(output, 1, name);                             // ValueInfoProto.name
            WriteMessage(output, 2, type);                            // ValueInfoProto.type
        });
    }

    private static ByteString Encode(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteInt64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void WriteBytes(CodedOutputStream output, int field, ByteString value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(value);
    }

    private static void WriteMessage(CodedOutputStream output, int field, ByteString encoded) => WriteBytes(output, field, encoded);
}
