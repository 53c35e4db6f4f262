using System.Buffers.Binary;
using System.Text;

namespace Galaxy.Kernels.Tests.IO;

/// <summary>Hand-built safetensors bytes, for files the writer would never produce.</summary>
internal static class SafeTensorsBytes
{
    /// <summary>An 8-byte little-endian length of <paramref name="header"/>, the header, then <paramref name="data"/>.</summary>
    public static byte[] Build(byte[] header, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes.AsSpan(8 + header.Length));
        return bytes;
    }

    /// <summary>As <see cref="Build(byte[], ReadOnlySpan{byte})"/> with a UTF-8 JSON header and <paramref name="dataLength"/> zero bytes of data.</summary>
    public static byte[] Build(string headerJson, int dataLength = 0) => Build(Encoding.UTF8.GetBytes(headerJson), new byte[dataLength]);

    /// <summary>The header length field of <paramref name="file"/>.</summary>
    public static long HeaderLength(byte[] file) => (long)BinaryPrimitives.ReadUInt64LittleEndian(file);

    /// <summary>A copy of <paramref name="file"/> whose header length field says <paramref name="headerLength"/>.</summary>
    public static byte[] WithHeaderLength(byte[] file, ulong headerLength)
    {
        var copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, headerLength);
        return copy;
    }
}
