using System.Buffers;
using System.Runtime.InteropServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// The bulk codec for <see cref="TransportTile"/>: one length-prefixed field holding a 20-byte header
/// (run, sequence, timestamp, value count) and the values' bytes in one block copy. Orleans' own
/// <c>float[]</c> codec writes one tagged field per element instead (DESIGN.md §6).
/// </summary>
[RegisterSerializer]
[RegisterCopier]
public sealed class TransportTileCodec : IFieldCodec<TransportTile>, IDeepCopier<TransportTile>
{
    private const int HeaderBytes = sizeof(int) + sizeof(int) + sizeof(long) + sizeof(int);

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, TransportTile? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(value);
        var payload = MemoryMarshal.AsBytes(value.Values.AsSpan());
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(TransportTile), WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)(HeaderBytes + payload.Length));
        Span<byte> header = stackalloc byte[HeaderBytes];
        MemoryMarshal.Write(header, value.RunId);
        MemoryMarshal.Write(header[4..], value.Sequence);
        MemoryMarshal.Write(header[8..], value.SentTimestamp);
        MemoryMarshal.Write(header[16..], value.Values.Length);
        writer.Write(header);
        writer.Write(payload);
    }

    public TransportTile ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            // Null or an earlier reference; the interface's T is not annotated, so the null passes through as Orleans' own codecs do.
            return ReferenceCodec.ReadReference<TransportTile, TInput>(ref reader, field)!;
        }

        field.EnsureWireType(WireType.LengthPrefixed);
        var placeholder = ReferenceCodec.CreateRecordPlaceholder(reader.Session);
        var length = reader.ReadVarUInt32();
        if (length < HeaderBytes)
        {
            throw new InvalidDataException($"A transport tile needs at least {HeaderBytes} bytes, got {length}.");
        }

        Span<byte> header = stackalloc byte[HeaderBytes];
        reader.ReadBytes(header);
        var runId = MemoryMarshal.Read<int>(header);
        var sequence = MemoryMarshal.Read<int>(header[4..]);
        var sentTimestamp = MemoryMarshal.Read<long>(header[8..]);
        var count = MemoryMarshal.Read<int>(header[16..]);
        if (count < 0 || (long)count * sizeof(float) != length - HeaderBytes)
        {
            throw new InvalidDataException($"A transport tile of {length} bytes cannot hold {count} values.");
        }

        var values = GC.AllocateUninitializedArray<float>(count);
        reader.ReadBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        var tile = new TransportTile(runId, sequence, sentTimestamp, values);
        ReferenceCodec.RecordObject(reader.Session, tile, placeholder);
        return tile;
    }

    /// <summary>Tiles are immutable once sent, so a copy is the same object.</summary>
    public TransportTile? DeepCopy(TransportTile? input, CopyContext context) => input;
}
