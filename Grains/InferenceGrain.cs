using System.Diagnostics;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;
using Orleans.Concurrency;

namespace Galaxy.Grains;

/// <summary>
/// The coordinator of one model (<see cref="IInferenceGrain"/>). Reentrant: concurrent requests run on the shards
/// at the same time, kept apart by their request ids; the grain itself holds no per-request state.
/// </summary>
[Reentrant]
public sealed class InferenceGrain(ModelCatalog catalog, DeviceDirectory directory) : Grain, IInferenceGrain
{
    // Device lists whose shards have loaded their slices (a split of heads and columns depends only on the devices).
    private readonly HashSet<string> _prepared = [];

    private string ModelId => this.GetPrimaryKeyString();

    public Task<EmbedResult> EmbedAsync(IReadOnlyList<string> texts) => EmbedOnAsync(texts, 0);

    public async Task<EmbedResult> EmbedOnAsync(IReadOnlyList<string> texts, int devices)
    {
        if (texts is null || texts.Count == 0)
        {
            throw new ArgumentException("EmbedAsync needs at least one text.", nameof(texts));
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                throw new ArgumentException($"Text {i} is empty; every text to embed needs at least one word.", nameof(texts));
            }
        }

        var model = catalog.Get(ModelId);
        var ids = texts.Select(text => model.Tokenizer.Encode(text, model.Config.MaxPositions)).ToArray();
        var chosen = ChooseDevices(devices);
        var hidden = model.Config.HiddenSize;
        var embeddings = new float[texts.Count * hidden];
        var timings = new TextTiming[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var (states, devicesTiming) = await RunOnDevicesAsync(model, ids[i], chosen).ConfigureAwait(true);
            Encoder.MeanPool(states, default, 1, hidden).CopyTo(embeddings, i * hidden);
            timings[i] = new TextTiming(ids[i].Length, devicesTiming, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return new EmbedResult(hidden, TensorPayload.CopyOf(embeddings), timings);
    }

    public async Task<InferResult> InferAsync(int[] tokenIds)
    {
        var model = catalog.Get(ModelId);
        if (tokenIds is null || tokenIds.Length == 0)
        {
            throw new ArgumentException("InferAsync needs at least one token id.", nameof(tokenIds));
        }

        if (tokenIds.Length > model.Config.MaxPositions)
        {
            throw new ArgumentException($"{tokenIds.Length} tokens do not fit model '{ModelId}', which takes at most {model.Config.MaxPositions}.", nameof(tokenIds));
        }

        var outside = Array.FindIndex(tokenIds, id => id < 0 || id >= model.Config.VocabularySize);
        if (outside >= 0)
        {
            throw new ArgumentException($"Token {outside} has id {tokenIds[outside]}, outside model '{ModelId}''s vocabulary 0…{model.Config.VocabularySize - 1}.", nameof(tokenIds));
        }

        var started = Stopwatch.GetTimestamp();
        var (states, timings) = await RunOnDevicesAsync(model, tokenIds, ChooseDevices(0)).ConfigureAwait(true);
        return new InferResult(tokenIds.Length, model.Config.HiddenSize, TensorPayload.CopyOf(states), timings, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task<int[]> TokenizeAsync(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The text is empty; it needs at least one word.", nameof(text));
        }

        var model = catalog.Get(ModelId);
        return Task.FromResult(model.Tokenizer.Encode(text, model.Config.MaxPositions));
    }

    public Task<IReadOnlyList<string>> GetDevicesAsync() => Task.FromResult(directory.ActiveDevices());

    private IReadOnlyList<string> ChooseDevices(int count)
    {
        var devices = directory.ActiveDevices();
        if (devices.Count == 0)
        {
            throw new InvalidOperationException("No device has joined the cluster yet (no active silo carries galaxy.device metadata).");
        }

        if (count < 0 || count > devices.Count)
        {
            throw new ArgumentException($"Asked for {count} devices but the cluster has {devices.Count} ({string.Join(", ", devices)}).", nameof(count));
        }

        return count == 0 ? devices : [.. devices.Take(count)];
    }

    /// <summary>Runs one sequence on <paramref name="devices"/> (an even split until the planner exists) and assembles (S, H).</summary>
    private async Task<(float[] Hidden, DeviceTiming[] Devices)> RunOnDevicesAsync(LoadedModel model, int[] tokenIds, IReadOnlyList<string> devices)
    {
        var plan = ParallelPlan.Uniform(ParallelMode.Hybrid, devices.Count, model.Config, tokenIds.Length);
        var wire = plan.ToWire();
        var requestId = Random.Shared.NextInt64(1, long.MaxValue);
        var shards = devices.Select(device => GrainFactory.GetGrain<IShardGrain>(DeviceKeys.Shard(ModelId, device))).ToArray();
        var deviceSet = string.Join('/', devices);
        if (!_prepared.Contains(deviceSet))
        {
            // Load every device's slice before the first request on these devices, so no shard waits for a peer's disk.
            await Task.WhenAll(shards.Select((shard, rank) => shard.PrepareAsync(wire, rank, devices))).ConfigureAwait(true);
            _prepared.Add(deviceSet);
        }


        // Fan out to every shard in parallel, then join; the first failure gives the request up on every shard,
        // so the others stop waiting for tiles that will never come.
        var runs = shards.Select((shard, rank) => shard.RunAsync(new ShardRequest(requestId, tokenIds, [], [], wire, rank, devices))).ToList();
        var pending = new List<Task<ShardOutput>>(runs);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(true);
            pending.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                var reason = done.Exception?.InnerException?.Message ?? "a shard's run was cancelled";
                await Task.WhenAll(shards.Select(shard => shard.AbortAsync(requestId, reason))).ConfigureAwait(true);
                await done.ConfigureAwait(true);
            }
        }

        var hiddenSize = model.Config.HiddenSize;
        var hidden = new float[tokenIds.Length * hiddenSize];
        var timings = new DeviceTiming[runs.Count];
        for (var rank = 0; rank < runs.Count; rank++)
        {
            var output = runs[rank].Result;
            output.Rows.Values.CopyTo(hidden.AsSpan(output.RowStart * hiddenSize));
            timings[rank] = new DeviceTiming(
                output.Device,
                rank,
                wire.Shares[rank],
                output.Layers.Sum(l => l.ComputeMilliseconds),
                output.WallMilliseconds,
                output.Layers);
        }

        return (hidden, timings);
    }
}
