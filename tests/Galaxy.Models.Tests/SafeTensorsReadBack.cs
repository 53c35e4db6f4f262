using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Galaxy.Models.Tests;

/// <summary>A deliberately minimal F32 safetensors reader for checking what the importer wrote (independent of the product's reader).</summary>
internal sealed class SafeTensorsReadBack
{
    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, (int[] Shape, long Begin, long End)> _entries = new(StringComparer.Ordinal);

    public SafeTensorsReadBack(string path)
    {
        _bytes = File.ReadAllBytes(path);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(_bytes);
        _dataStart = 8 + headerLength;
        using var header = JsonDocument.Parse(_bytes.AsMemory(8, (int)headerLength));
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                Metadata = entry.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);
                continue;
            }

            Assert.Equal("F32", entry.Value.GetProperty("dtype").GetString());
            var offsets = entry.Value.GetProperty("data_offsets");
            _entries[entry.Name] = (
                [.. entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())],
                offsets[0].GetInt64(),
                offsets[1].GetInt64());
            Names.Add(entry.Name);
        }
    }

    /// <summary>Tensor names in header order.</summary>
    public List<string> Names { get; } = [];

    public IReadOnlyDictionary<string, string> Metadata { get; private set; } = new Dictionary<string, string>();

    public int[] Shape(string name) => _entries[name].Shape;

    public float[] Read(string name)
    {
        var (_, begin, end) = _entries[name];
        return MemoryMarshal.Cast<byte, float>(_bytes.AsSpan((int)(_dataStart + begin), (int)(end - begin))).ToArray();
    }
}
