using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Galaxy.Kernels.IO;

/// <summary>
/// Writes the Hugging Face safetensors format: an 8-byte little-endian header length, a JSON header
/// <c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c> padded with
/// spaces to a multiple of 8 bytes, then the tensors' little-endian bytes back to back.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>, stored as <paramref name="dtype"/> (rounded to nearest even when narrowing).</summary>
    /// <exception cref="ArgumentException">A name repeats, is empty, or a shape does not match its data.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined <see cref="SafeTensorsDType"/>.</exception>
    public static void Write(string path, IReadOnlyList<SafeTensor> tensors, SafeTensorsDType dtype = SafeTensorsDType.F32, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var tensor in tensors)
        {
            CheckData(tensor.Name, tensor.Shape, tensor.Data);
        }

        Write(path, tensors.Select(t => (t.Name, t.Shape)).ToList(), i => tensors[i].Data, dtype, metadata);
    }

    /// <summary>
    /// Writes tensors whose names and shapes are known up front but whose values are made one at a time by
    /// <paramref name="produce"/> (tensor index → row-major values), so a multi-gigabyte checkpoint never
    /// sits in memory whole. <paramref name="progress"/> hears the index of each tensor once it is written.
    /// A failure deletes the partial file.
    /// </summary>
    /// <exception cref="ArgumentException">A name repeats or is empty, a shape is invalid, or produced values do not match their shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined <see cref="SafeTensorsDType"/>.</exception>
    public static void Write(
        string path,
        IReadOnlyList<(string Name, int[] Shape)> layout,
        Func<int, float[]> produce,
        SafeTensorsDType dtype = SafeTensorsDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null,
        IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(produce);
        if (!Enum.IsDefined(dtype))
        {
            // Otherwise the header would say e.g. "7" while the data is written as BF16.
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype Galaxy writes.");
        }

        var header = Header(layout, dtype, metadata);
        var padded = (header.Length + 7) / 8 * 8;
        try
        {
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            file.Write(length);
            file.Write(header);
            for (var i = header.Length; i < padded; i++)
            {
                file.WriteByte((byte)' ');
            }

            var chunk = new byte[1 << 16];
            for (var i = 0; i < layout.Count; i++)
            {
                var data = produce(i);
                CheckData(layout[i].Name, layout[i].Shape, data);
                WriteData(file, data, dtype, chunk);
                progress?.Report(i);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static byte[] Header(IReadOnlyList<(string Name, int[] Shape)> layout, SafeTensorsDType dtype, IReadOnlyDictionary<string, string>? metadata)
    {
        var elementSize = dtype == SafeTensorsDType.F32 ? 4 : 2;
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, shape) in layout)
            {
                var bytes = ElementCount(name, shape, names) * elementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.ToString());
                json.WriteStartArray("shape");
                foreach (var dimension in shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        return headerStream.ToArray();
    }

    private static long ElementCount(string name, int[] shape, HashSet<string> names)
    {
        if (string.IsNullOrEmpty(name) || name == "__metadata__")
        {
            throw new ArgumentException($"Tensor name '{name}' is not allowed.", nameof(name));
        }

        if (!names.Add(name))
        {
            throw new ArgumentException($"Tensor '{name}' appears twice.", nameof(name));
        }

        var count = 1L;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].", nameof(shape));
            }

            // A product that overflowed could wrap to the data's length and describe far more elements than are written.
            if (dimension > 0 && count > long.MaxValue / dimension)
            {
                throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] with more elements than a 64-bit count holds.", nameof(shape));
            }

            count *= dimension;
        }

        return count;
    }

    private static void CheckData(string name, int[] shape, float[] data)
    {
        var count = shape.Aggregate(1L, (a, b) => unchecked(a * b));
        if (shape.All(d => d >= 0) && count != data.Length)
        {
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but {data.Length} values.", nameof(data));
        }
    }

    private static void WriteData(FileStream file, float[] data, SafeTensorsDType dtype, byte[] chunk)
    {
        if (dtype == SafeTensorsDType.F32 && BitConverter.IsLittleEndian)
        {
            file.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }

        var elementSize = dtype == SafeTensorsDType.F32 ? 4 : 2;
        var perChunk = chunk.Length / elementSize;
        for (var start = 0; start < data.Length; start += perChunk)
        {
            var count = Math.Min(perChunk, data.Length - start);
            var target = chunk.AsSpan(0, count * elementSize);
            for (var i = 0; i < count; i++)
            {
                var value = data[start + i];
                switch (dtype)
                {
                    case SafeTensorsDType.F32:
                        BinaryPrimitives.WriteSingleLittleEndian(target[(i * 4)..], value);
                        break;
                    case SafeTensorsDType.F16:
                        BinaryPrimitives.WriteHalfLittleEndian(target[(i * 2)..], (Half)value);
                        break;
                    default:
                        BinaryPrimitives.WriteUInt16LittleEndian(target[(i * 2)..], BFloat16Bits(value));
                        break;
                }
            }

            file.Write(target);
        }
    }

    /// <summary>fp32 → bf16 bits, rounding to nearest even; NaN stays NaN.</summary>
    internal static ushort BFloat16Bits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
