using System.Buffers;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Galaxy.Grains;

/// <summary>
/// Writes a <see cref="TensorPayload"/> as one length-prefixed block of raw bytes (a varint length, then the
/// bytes), the way Orleans writes a <c>byte[]</c>: one bulk copy instead of a varint per float.
/// </summary>
[RegisterSerializer]
public sealed class TensorPayloadCodec : IFieldCodec<TensorPayload>
{
    private static readonly Type PayloadType = typeof(TensorPayload);

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, TensorPayload? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        writer.WriteFieldHeader(fieldIdDelta, expectedType, PayloadType, WireType.LengthPrefixed);
        var bytes = value!.Bytes;
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
    }

    public TensorPayload? ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<TensorPayload, TInput>(ref reader, field);
        }

        if (field.WireType != WireType.LengthPrefixed)
        {
            throw new InvalidDataException($"A tensor payload is written length-prefixed, but the field's wire type is {field.WireType}.");
        }

        var length = reader.ReadVarUInt32();
        var payload = TensorPayload.FromBytes(reader.ReadBytes(length));
        ReferenceCodec.RecordObject(reader.Session, payload);
        return payload;
    }
}
