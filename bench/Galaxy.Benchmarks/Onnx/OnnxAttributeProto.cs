using Google.Protobuf;
using static Galaxy.Benchmarks.Onnx.ProtoFields;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>One attribute of an ONNX node: a named float, integer or string (onnx.proto's AttributeProto).</summary>
public sealed class OnnxAttributeProto
{
    // AttributeProto.AttributeType values.
    private const long FloatType = 1;
    private const long IntType = 2;
    private const long StringType = 3;

    private readonly long _type;
    private readonly float _float;
    private readonly long _int;
    private readonly string _string;

    private OnnxAttributeProto(string name, long type, float floatValue, long intValue, string stringValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _type = type;
        _float = floatValue;
        _int = intValue;
        _string = stringValue;
    }

    public string Name { get; }

    public static OnnxAttributeProto OfFloat(string name, float value) => new(name, FloatType, value, 0, string.Empty);

    public static OnnxAttributeProto OfInt(string name, long value) => new(name, IntType, 0, value, string.Empty);

    public static OnnxAttributeProto OfString(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(name, StringType, 0, 0, value);
    }

    /// <summary>The encoded AttributeProto.</summary>
    internal ByteString Encode() => ProtoFields.Encode(output =>
    {
        WriteString(output, 1, Name);                                 // AttributeProto.name
        switch (_type)
        {
            case FloatType:
                WriteFloat(output, 2, _float);                        // AttributeProto.f
                break;
            case IntType:
                WriteInt64(output, 3, _int);                          // AttributeProto.i
                break;
            default:
                WriteString(output, 4, _string);                      // AttributeProto.s (bytes; UTF-8 here)
                break;
        }

        WriteInt64(output, 20, _type);                                // AttributeProto.type
    });
}
