using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Unicode;

namespace Galaxy.Kernels.IO;

/// <summary>
/// The parsed, validated JSON header of a safetensors file:
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}</c>,
/// offsets relative to the first byte after the header. Parsing either yields entries whose byte ranges all
/// lie inside the data region, match their shape and dtype, and do not overlap — or throws
/// <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>Largest header accepted. Real headers are well under 1 MB; the cap bounds what a corrupt length can make us allocate.</summary>
    public const long MaxLength = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(ReadOnlyCollection<string> names, Dictionary<string, SafeTensorsEntry> entries, ReadOnlyDictionary<string, string> metadata)
    {
        Names = names;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>Tensor names in header order.</summary>
    public ReadOnlyCollection<string> Names { get; }

    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when absent).</summary>
    public ReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Parses <paramref name="json"/> (the header bytes, trailing space padding allowed) and validates every entry
    /// against a data region of <paramref name="dataLength"/> bytes. <paramref name="path"/> names the file in errors.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is not UTF-8 JSON of the expected form, or an entry is inconsistent.</exception>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string path)
    {
        if (!Utf8.IsValid(json))
        {
            throw Malformed(path, "the header is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw Malformed(path, $"the header is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, dataLength, path);
            }
            catch (InvalidOperationException e)
            {
                // JsonElement throws this for strings that are valid JSON but not valid UTF-16, e.g. "\uD800".
                throw Malformed(path, $"the header has a string that is not valid text ({e.Message})", e);
            }
        }
    }

    /// <summary>The error for a malformed file: names the file and the problem.</summary>
    public static InvalidDataException Malformed(string path, string problem, Exception? inner = null) =>
        new($"'{path}' is not a valid safetensors file: {problem}.", inner);

    /// <summary>Bytes per element of the standard safetensors dtypes; null for a dtype this reader does not know.</summary>
    public static int? ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "BOOL" or "U8" or "I8" or "F8_E4M3" or "F8_E5M2" or "F8_E8M0" => 1,
        _ => null,
    };

    /// <summary>The fp32-readable dtype spelled <paramref name="dtype"/>, else null.</summary>
    public static SafeTensorsDType? Readable(string dtype) => dtype switch
    {
        "F32" => SafeTensorsDType.F32,
        "F16" => SafeTensorsDType.F16,
        "BF16" => SafeTensorsDType.BF16,
        _ => null,
    };

    private static SafeTensorsHeader Read(JsonElement root, long dataLength, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, $"the header is a JSON {root.ValueKind}, not an object");
        }

        var names = new List<string>();
        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                if (metadata is not null)
                {
                    throw Malformed(path, $"'{MetadataKey}' appears twice");
                }

                metadata = ReadMetadata(property.Value, path);
                continue;
            }

            var entry = ReadEntry(property.Name, property.Value, dataLength, path);
            if (!entries.TryAdd(entry.Name, entry))
            {
                throw Malformed(path, $"tensor '{entry.Name}' appears twice");
            }

            names.Add(entry.Name);
        }

        CheckNoOverlap(entries.Values, path);
        return new SafeTensorsHeader(names.AsReadOnly(), entries, (metadata ?? []).AsReadOnly());
    }

    private static Dictionary<string, string> ReadMetadata(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, $"'{MetadataKey}' is a JSON {value.ValueKind}, not an object of strings");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Malformed(path, $"'{MetadataKey}' entry '{item.Name}' is a JSON {item.Value.ValueKind}, not a string");
            }

            metadata[item.Name] = item.Value.GetString()!;
        }

        return metadata;
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement value, long dataLength, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, $"tensor '{name}' is a JSON {value.ValueKind}, not an object with dtype, shape and data_offsets");
        }

        var dtype = Property(name, value, "dtype", JsonValueKind.String, path).GetString()!;
        var shape = ReadShape(name, Property(name, value, "shape", JsonValueKind.Array, path), path);
        var (begin, end) = ReadOffsets(name, Property(name, value, "data_offsets", JsonValueKind.Array, path), path);
        var info = new TensorInfo(name, dtype, Readable(dtype), shape, path);

        if (begin > end)
        {
            throw Malformed(path, $"tensor '{name}' has data_offsets [{begin}, {end}]: begin is past end");
        }

        if (end > dataLength)
        {
            throw Malformed(path, $"tensor '{name}' ends at byte {end} of the data region, which holds only {dataLength} bytes (truncated file?)");
        }

        if (ElementSize(dtype) is { } size && !HoldsExactly(shape, size, end - begin))
        {
            throw Malformed(path, $"tensor '{name}' ({dtype}, shape {info.ShapeText}) needs {ElementsText(shape)} × {size} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        }

        return new SafeTensorsEntry(info, begin, end);
    }

    private static JsonElement Property(string name, JsonElement entry, string key, JsonValueKind kind, string path)
    {
        if (!entry.TryGetProperty(key, out var value))
        {
            throw Malformed(path, $"tensor '{name}' has no '{key}'");
        }

        if (value.ValueKind != kind)
        {
            throw Malformed(path, $"tensor '{name}' has '{key}' as a JSON {value.ValueKind}, expected {kind}");
        }

        return value;
    }

    private static int[] ReadShape(string name, JsonElement array, string path)
    {
        var shape = new int[array.GetArrayLength()];
        var product = 1L;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var dimension) || dimension < 0)
            {
                throw Malformed(path, $"tensor '{name}' has shape entry {item.GetRawText()}: dimensions must be integers in [0, {int.MaxValue}]");
            }

            // Bound the product of the non-zero dimensions so that element counts and row lengths never overflow.
            if (dimension > 0)
            {
                if (product > long.MaxValue / dimension)
                {
                    throw Malformed(path, $"tensor '{name}' has shape {array.GetRawText()} with more elements than a 64-bit count holds");
                }

                product *= dimension;
            }

            shape[i++] = dimension;
        }

        return shape;
    }

    private static (long Begin, long End) ReadOffsets(string name, JsonElement array, string path)
    {
        if (array.GetArrayLength() == 2
            && array[0].ValueKind == JsonValueKind.Number && array[0].TryGetInt64(out var begin) && begin >= 0
            && array[1].ValueKind == JsonValueKind.Number && array[1].TryGetInt64(out var end) && end >= 0)
        {
            return (begin, end);
        }

        throw Malformed(path, $"tensor '{name}' has data_offsets {array.GetRawText()}, expected [begin, end] as two non-negative integers");
    }

    /// <summary>Whether the shape's element count × <paramref name="size"/> equals <paramref name="byteLength"/> (no overflow: a count too large to compare cannot match).</summary>
    private static bool HoldsExactly(int[] shape, int size, long byteLength)
    {
        var remaining = byteLength;
        if (remaining % size != 0)
        {
            return false;
        }

        remaining /= size;
        foreach (var dimension in shape)
        {
            if (dimension == 0)
            {
                return byteLength == 0;
            }
        }

        foreach (var dimension in shape)
        {
            if (remaining % dimension != 0)
            {
                return false;
            }

            remaining /= dimension;
        }

        return remaining == 1;
    }

    private static string ElementsText(int[] shape) =>
        shape.Length == 0 ? "1" : string.Join(" × ", shape);

    private static void CheckNoOverlap(IEnumerable<SafeTensorsEntry> entries, string path)
    {
        // Empty tensors occupy no bytes, so they cannot overlap anything.
        var sorted = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            var previous = sorted[i - 1];
            var current = sorted[i];
            if (current.Begin < previous.End)
            {
                throw Malformed(path, $"tensors '{previous.Name}' [{previous.Begin}, {previous.End}) and '{current.Name}' [{current.Begin}, {current.End}) overlap");
            }
        }
    }
}
