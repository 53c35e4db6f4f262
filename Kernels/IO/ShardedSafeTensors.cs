using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Unicode;

namespace Galaxy.Kernels.IO;

/// <summary>
/// A model split across several safetensors files, as Hugging Face saves large checkpoints: an index
/// <c>model.safetensors.index.json</c> = <c>{"metadata": {...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors", ...}}</c>
/// beside the shards. Every shard is opened (mapped, header validated) once at <see cref="Open"/>; reads are routed
/// to the shard the index names and are as thread-safe as <see cref="SafeTensorsFile"/>'s.
/// </summary>
public sealed class ShardedSafeTensors : ITensorSource
{
    /// <summary>Largest index file accepted; real ones are tens of kilobytes.</summary>
    private const long MaxIndexLength = 100L * 1024 * 1024;

    private readonly Dictionary<string, SafeTensorsFile> _routes;
    private readonly SafeTensorsFile[] _shards;
    private readonly ReadOnlyCollection<string> _names;
    private readonly ReadOnlyDictionary<string, string> _metadata;
    private int _disposed;

    private ShardedSafeTensors(string indexPath, ReadOnlyCollection<string> names, Dictionary<string, SafeTensorsFile> routes, SafeTensorsFile[] shards, ReadOnlyDictionary<string, string> metadata)
    {
        IndexPath = indexPath;
        _names = names;
        _routes = routes;
        _shards = shards;
        _metadata = metadata;
    }

    /// <summary>The full path of the index file.</summary>
    public string IndexPath { get; }

    /// <summary>Full paths of the shard files, in the order the index first mentions them.</summary>
    public IReadOnlyList<string> ShardPaths => _shards.Select(s => s.FilePath).ToList().AsReadOnly();

    /// <summary>The index's <c>metadata</c> (e.g. <c>total_size</c>): strings as they are, other JSON values as their JSON text.</summary>
    public IReadOnlyDictionary<string, string> Metadata
    {
        get
        {
            ThrowIfDisposed();
            return _metadata;
        }
    }

    /// <summary>Tensor names in the order of the index's <c>weight_map</c>.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            ThrowIfDisposed();
            return _names;
        }
    }

    /// <summary>Reads the index at <paramref name="indexPath"/> and opens every shard it names (relative to the index's directory).</summary>
    /// <exception cref="FileNotFoundException">No index file.</exception>
    /// <exception cref="InvalidDataException">
    /// The index is malformed, a shard file is missing, or a tensor is absent from its shard (the message names the index);
    /// or a shard is malformed (the message names the shard).
    /// </exception>
    public static ShardedSafeTensors Open(string indexPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(indexPath);
        var fullPath = Path.GetFullPath(indexPath);
        var directory = Path.GetDirectoryName(fullPath)!;
        var (weightMap, metadata) = ReadIndex(fullPath);

        var shards = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        var routes = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, shardName) in weightMap)
            {
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    var shardPath = Path.Combine(directory, shardName);
                    if (!File.Exists(shardPath))
                    {
                        throw Malformed(fullPath, $"shard '{shardName}' (holding '{name}') does not exist at '{shardPath}'");
                    }

                    shard = SafeTensorsFile.Open(shardPath);
                    shards.Add(shardName, shard);
                }

                if (!shard.TryGetInfo(name, out _))
                {
                    throw Malformed(fullPath, $"tensor '{name}' is mapped to shard '{shardName}', which has no such tensor");
                }

                routes.Add(name, shard);
            }
        }
        catch
        {
            foreach (var shard in shards.Values)
            {
                shard.Dispose();
            }

            throw;
        }

        var names = weightMap.Select(pair => pair.Name).ToList().AsReadOnly();
        return new ShardedSafeTensors(fullPath, names, routes, [.. shards.Values], metadata);
    }

    /// <inheritdoc/>
    public bool TryGetInfo(string name, out TensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        if (_routes.TryGetValue(name, out var shard))
        {
            return shard.TryGetInfo(name, out info);
        }

        info = null!;
        return false;
    }

    /// <inheritdoc/>
    public TensorInfo Info(string name) => Route(name).Info(name);

    /// <inheritdoc/>
    public void Read(string name, Span<float> destination) => Route(name).Read(name, destination);

    /// <inheritdoc/>
    public void ReadRows(string name, int rowStart, int rowCount, Span<float> destination) =>
        Route(name).ReadRows(name, rowStart, rowCount, destination);

    /// <inheritdoc/>
    public void ReadColumns(string name, int columnStart, int columnCount, Span<float> destination) =>
        Route(name).ReadColumns(name, columnStart, columnCount, destination);

    /// <summary>Closes every shard.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var shard in _shards)
        {
            shard.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"sharded safetensors '{IndexPath}' ({_shards.Length} shards)";

    private static (List<(string Name, string Shard)> WeightMap, ReadOnlyDictionary<string, string> Metadata) ReadIndex(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxIndexLength)
        {
            throw Malformed(path, $"it is {length} bytes long, more than the {MaxIndexLength}-byte limit for an index");
        }

        var bytes = File.ReadAllBytes(path);
        if (!Utf8.IsValid(bytes))
        {
            throw Malformed(path, "it is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw Malformed(path, $"it is not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            try
            {
                return ReadIndex(document.RootElement, path);
            }
            catch (InvalidOperationException e)
            {
                // JsonElement throws this for strings that are valid JSON but not valid UTF-16, e.g. "\uD800".
                throw Malformed(path, $"it has a string that is not valid text ({e.Message})", e);
            }
        }
    }

    private static (List<(string Name, string Shard)> WeightMap, ReadOnlyDictionary<string, string> Metadata) ReadIndex(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, $"it is a JSON {root.ValueKind}, not an object");
        }

        if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            throw Malformed(path, "it has no 'weight_map' object");
        }

        var weightMap = new List<(string Name, string Shard)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in map.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Malformed(path, $"weight_map entry '{item.Name}' is a JSON {item.Value.ValueKind}, not a shard file name");
            }

            var shard = item.Value.GetString()!;
            if (shard.Length == 0 || Path.GetFileName(shard) != shard || shard is "." or "..")
            {
                throw Malformed(path, $"weight_map entry '{item.Name}' names shard '{shard}'; shards must be plain file names beside the index");
            }

            if (!seen.Add(item.Name))
            {
                throw Malformed(path, $"tensor '{item.Name}' appears twice in weight_map");
            }

            weightMap.Add((item.Name, shard));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var values) && values.ValueKind != JsonValueKind.Null)
        {
            if (values.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(path, $"its 'metadata' is a JSON {values.ValueKind}, not an object");
            }

            foreach (var item in values.EnumerateObject())
            {
                metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
            }
        }

        return (weightMap, metadata.AsReadOnly());
    }

    private static InvalidDataException Malformed(string path, string problem, Exception? inner = null) =>
        new($"'{path}' is not a valid safetensors index: {problem}.", inner);

    private SafeTensorsFile Route(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        return _routes.TryGetValue(name, out var shard)
            ? shard
            : throw new KeyNotFoundException($"No tensor '{name}' in '{IndexPath}' ({_names.Count} tensors across {_shards.Length} shards).");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
