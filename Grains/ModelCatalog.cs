using System.Collections.Concurrent;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;
using Microsoft.Extensions.Options;

namespace Galaxy.Grains;

/// <summary>
/// One device's models: resolves a model id to its local directory, and loads and keeps the weight slices its
/// shard grains hold (each slice once, whatever the number of grains or requests that use it).
/// </summary>
public sealed class ModelCatalog : IDisposable
{
    /// <summary>The model id served from the MiniLM package beside the program.</summary>
    public const string MiniLmId = "minilm";

    // MiniLmModel.Prepare extracts and converts once per directory; silos of one process must not race on it.
    private static readonly Lock PrepareLock = new();

    private readonly GalaxyDeviceOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<LoadedModel>> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Model, LayerSlice Slice), SliceEntry> _slices = new();
    private long _useClock;

    public ModelCatalog(IOptions<GalaxyDeviceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        Threads = new KernelThreads(Math.Max(1, _options.KernelThreads));
    }

    /// <summary>This device's compute threads.</summary>
    public KernelThreads Threads { get; }

    /// <summary>The device's options.</summary>
    public GalaxyDeviceOptions Options => _options;

    /// <summary>The model <paramref name="modelId"/> on this device.</summary>
    /// <exception cref="ArgumentException">The device does not have that model.</exception>
    public LoadedModel Get(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        var entry = _models.GetOrAdd(modelId, id => new Lazy<LoadedModel>(() => Load(id)));
        try
        {
            return entry.Value;
        }
        catch (Exception)
        {
            // Lazy keeps a failure; forget it so a model added or repaired later can load.
            _models.TryRemove(modelId, out _);
            throw;
        }
    }

    /// <summary>
    /// Layer slice <paramref name="slice"/> of every layer of <paramref name="modelId"/> (loaded on first use). A device
    /// keeps at most <see cref="GalaxyDeviceOptions.SlicesPerModel"/> slices of one model: loading another forgets the
    /// least recently used (a request still running on it keeps its reference), so plans that change as devices come
    /// and go do not pile up copies of the weights.
    /// </summary>
    public TransformerWeights Slice(string modelId, LayerSlice slice)
    {
        var model = Get(modelId);
        var entry = _slices.GetOrAdd((modelId, slice), key => new SliceEntry(new Lazy<TransformerWeights>(() =>
        {
            using var source = SafeTensorsDirectory.Open(model.Directory);
            return TransformerWeights.Load(model.Config, source, _ => key.Slice);
        })));
        Interlocked.Exchange(ref entry.LastUsed, Interlocked.Increment(ref _useClock));
        var weights = entry.Weights.Value;
        ForgetOldSlices(modelId, slice);
        return weights;
    }

    /// <summary>The models this device serves: "minilm" when its package is beside the program, and every directory under the models directory with a config.json.</summary>
    public IReadOnlyList<string> ServedModelIds()
    {
        var ids = new List<string>();
        if (File.Exists(MiniLmModel.DefaultPackageAssemblyPath))
        {
            ids.Add(MiniLmId);
        }

        if (Directory.Exists(_options.ModelsDirectory))
        {
            ids.AddRange(Directory.EnumerateDirectories(_options.ModelsDirectory)
                .Where(directory => File.Exists(Path.Combine(directory, "config.json")))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(id => id != MiniLmId && id.IndexOf('.', StringComparison.Ordinal) < 0)
                .Order(StringComparer.Ordinal));
        }

        return ids;
    }

    /// <summary>The slices loaded now, by model and head range.</summary>
    public IReadOnlyList<LoadedSlice> LoadedSlices() =>
    [
        .. _slices
            .Where(pair => pair.Value.Weights.IsValueCreated)
            .Select(pair => new LoadedSlice(
                pair.Key.Model,
                pair.Key.Slice.HeadStart,
                pair.Key.Slice.HeadEnd,
                pair.Key.Slice.ColumnStart,
                pair.Key.Slice.ColumnEnd,
                pair.Value.Weights.Value.ByteCount))
            .OrderBy(slice => slice.ModelId, StringComparer.Ordinal)
            .ThenBy(slice => slice.HeadStart)
            .ThenBy(slice => slice.ColumnStart),
    ];

    public void Dispose() => Threads.Dispose();

    private void ForgetOldSlices(string modelId, LayerSlice keep)
    {
        var limit = Math.Max(1, _options.SlicesPerModel);
        var ofModel = _slices.Where(pair => pair.Key.Model == modelId).ToList();
        if (ofModel.Count <= limit)
        {
            return;
        }

        foreach (var stale in ofModel
            .Where(pair => pair.Key.Slice != keep)
            .OrderBy(pair => Interlocked.Read(ref pair.Value.LastUsed))
            .Take(ofModel.Count - limit))
        {
            _slices.TryRemove(stale);
        }
    }

    private LoadedModel Load(string modelId)
    {
        if (modelId.Length == 0 || modelId.IndexOfAny(['/', '\\', '.']) >= 0)
        {
            throw new ArgumentException($"Unknown model '{modelId}': a model id is a plain name such as '{MiniLmId}'.", nameof(modelId));
        }

        string directory;
        if (modelId == MiniLmId)
        {
            lock (PrepareLock)
            {
                directory = MiniLmModel.Prepare(Path.Combine(_options.ModelsDirectory, MiniLmId)).ModelDirectory;
            }
        }
        else
        {
            directory = Path.Combine(_options.ModelsDirectory, modelId);
            if (!File.Exists(Path.Combine(directory, "config.json")))
            {
                throw new ArgumentException(
                    $"Unknown model '{modelId}': device '{_options.Device}' has no {Path.Combine(directory, "config.json")} (known: '{MiniLmId}' and the directories under {_options.ModelsDirectory}).",
                    nameof(modelId));
            }
        }

        var config = ModelConfig.Load(Path.Combine(directory, "config.json"));
        return new LoadedModel(modelId, directory, config, ModelTokenizer.ForModel(directory, config));
    }

    /// <summary>A slice and when it was last asked for.</summary>
    private sealed class SliceEntry(Lazy<TransformerWeights> weights)
    {
        public readonly Lazy<TransformerWeights> Weights = weights;

        public long LastUsed;
    }
}
