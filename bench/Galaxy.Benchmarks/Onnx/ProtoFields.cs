using Google.Protobuf;

namespace Galaxy.Benchmarks.Onnx;

/// <summary>
/// Writes protobuf fields by number with <see cref="CodedOutputStream"/>, so the ONNX models here need
/// no generated classes. A nested message is encoded on its own by <see cref="Encode"/> and then
/// written into its parent as a length-delimited field.
/// </summary>
internal static class ProtoFields
{
    /// <summary>The bytes <paramref name="write"/> produces: one encoded message.</summary>
    public static ByteString Encode(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static void WriteInt64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    public static void WriteFloat(CodedOutputStream output, int field, float value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(value);
    }

    public static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    public static void WriteBytes(CodedOutputStream output, int field, ByteString value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(value);
    }

    public static void WriteMessage(CodedOutputStream output, int field, ByteString encoded) => WriteBytes(output, field, encoded);
}
