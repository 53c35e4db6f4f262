using System.Buffers.Binary;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// The fixed 40-byte header of a frame on a tile socket (<see cref="TileSocketHub"/>), little-endian:
/// <c>u32 magic "GTIL" · u16 kind · u16 shard-key bytes · i64 request · i32 layer · i32 phase · i32 step · i32 tile ·
/// i32 source rank · i32 payload bytes</c>, followed by the destination shard's grain key (UTF-8) and the payload (a
/// tile's bytes as the collectives encoded them, or for a hello the sender's "device endpoint").
/// </summary>
internal readonly record struct TileFrameHeader(TileFrameKind Kind, int ShardKeyLength, long RequestId, int Layer, int Phase, int Step, int Tile, int SourceRank, int PayloadLength)
{
    /// <summary>Header size in bytes.</summary>
    public const int Size = 40;

    /// <summary>The longest destination shard key accepted.</summary>
    public const int MaxShardKeyBytes = 1024;

    /// <summary>The largest payload accepted (a tile of 64 MiB is far beyond any plan's chunk).</summary>
    public const int MaxPayloadBytes = 64 << 20;

    /// <summary>The longest hello accepted.</summary>
    public const int MaxHelloBytes = 1024;

    private const uint Magic = 0x4C495447; // "GTIL"

    /// <summary>The header of a tile frame for <paramref name="key"/> from <paramref name="sourceRank"/>.</summary>
    public static TileFrameHeader ForTile(TileKey key, int sourceRank, int shardKeyLength, int payloadLength) =>
        new(TileFrameKind.Tile, shardKeyLength, key.RequestId, key.Layer, (int)key.Phase, key.Step, key.Tile, sourceRank, payloadLength);

    /// <summary>The tile's key.</summary>
    public TileKey Key => new(RequestId, Layer, (CollectivePhase)Phase, Step, Tile);

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], (ushort)Kind);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], checked((ushort)ShardKeyLength));
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], RequestId);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], Layer);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], Phase);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], Step);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], Tile);
        BinaryPrimitives.WriteInt32LittleEndian(destination[32..], SourceRank);
        BinaryPrimitives.WriteInt32LittleEndian(destination[36..], PayloadLength);
    }

    /// <summary>Reads and checks a header.</summary>
    /// <exception cref="InvalidDataException">Not a tile frame, or a field outside its range; the message says which.</exception>
    public static TileFrameHeader Read(ReadOnlySpan<byte> source)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (magic != Magic)
        {
            throw new InvalidDataException($"Not a tile frame: magic 0x{magic:X8}, expected 0x{Magic:X8}.");
        }

        var header = new TileFrameHeader(
            (TileFrameKind)BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[20..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[28..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[36..]));
        header.Check();
        return header;
    }

    private void Check()
    {
        switch (Kind)
        {
            case TileFrameKind.Hello:
                if (PayloadLength is < 1 or > MaxHelloBytes)
                {
                    throw new InvalidDataException($"A hello frame carries 1…{MaxHelloBytes} bytes, not {PayloadLength}.");
                }

                break;
            case TileFrameKind.Tile:
                if (ShardKeyLength is < 1 or > MaxShardKeyBytes)
                {
                    throw new InvalidDataException($"A tile frame names its shard in 1…{MaxShardKeyBytes} bytes, not {ShardKeyLength}.");
                }

                if (PayloadLength is < 0 or > MaxPayloadBytes)
                {
                    throw new InvalidDataException($"Tile payload length {PayloadLength} is outside 0…{MaxPayloadBytes} bytes.");
                }

                if (!Enum.IsDefined((CollectivePhase)Phase) || Layer < 0 || Step < 0 || Tile < 0 || SourceRank < 0)
                {
                    throw new InvalidDataException($"Tile frame fields out of range: layer {Layer}, phase {Phase}, step {Step}, tile {Tile}, source rank {SourceRank}.");
                }

                break;
            default:
                throw new InvalidDataException($"Unknown tile frame kind {(int)Kind}.");
        }
    }
}
