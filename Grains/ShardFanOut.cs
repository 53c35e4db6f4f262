using Galaxy.Grains.Planning;

namespace Galaxy.Grains;

/// <summary>
/// What both coordinators (<see cref="InferenceGrain"/> and <see cref="EvaluationGrain"/>) do with a plan: check the
/// token ids, load the plan's slices once, fan the request out to every shard, give it up on all of them when one
/// fails, and assemble (S, H) with per-device timing beside the prediction.
/// </summary>
internal static class ShardFanOut
{
    /// <summary>Throws unless <paramref name="tokenIds"/> are 1 … MaxPositions ids inside <paramref name="model"/>'s vocabulary.</summary>
    /// <param name="model">The model the ids are for.</param>
    /// <param name="tokenIds">The request's ids.</param>
    /// <param name="caller">Names the request in the empty-input message ("InferAsync").</param>
    /// <exception cref="ArgumentException">No ids, too many, or one outside the vocabulary; the message says which.</exception>
    public static void CheckTokenIds(LoadedModel model, int[] tokenIds, string caller)
    {
        if (tokenIds is null || tokenIds.Length == 0)
        {
            throw new ArgumentException($"{caller} needs at least one token id.", nameof(tokenIds));
        }

        if (tokenIds.Length > model.Config.MaxPositions)
        {
            throw new ArgumentException($"{tokenIds.Length} tokens do not fit model '{model.Id}', which takes at most {model.Config.MaxPositions}.", nameof(tokenIds));
        }

        var outside = Array.FindIndex(tokenIds, id => id < 0 || id >= model.Config.VocabularySize);
        if (outside >= 0)
        {
            throw new ArgumentException($"Token {outside} has id {tokenIds[outside]}, outside model '{model.Id}''s vocabulary 0…{model.Config.VocabularySize - 1}.", nameof(tokenIds));
        }
    }

    /// <summary>
    /// Runs <paramref name="tokenIds"/> on <paramref name="planned"/>'s devices: every shard loads its slice before the
    /// first request on a split (<paramref name="cache"/> remembers the splits loaded and the shard references), all run
    /// in parallel, and the first failure is given up on every shard through <paramref name="abort"/> (so none waits for
    /// tiles that will never come) and rethrown. The hidden states (S, H) are assembled once, into the payload returned.
    /// </summary>
    public static async Task<(TensorPayload Hidden, DeviceTiming[] Devices)> RunAsync(
        IGrainFactory grains,
        LoadedModel model,
        int[] tokenIds,
        PlannedSplit planned,
        long requestId,
        ProgressRoute? progress,
        ShardCache cache,
        Func<IShardGrain, long, string, Task> abort)
    {
        var wire = planned.Plan.ToWire();
        var devices = planned.Devices;
        var shards = new IShardGrain[devices.Count];
        for (var rank = 0; rank < shards.Length; rank++)
        {
            shards[rank] = cache.Shard(grains, model.Id, devices[rank]);
        }

        var sliceKey = $"{wire.Mode}|{string.Join('/', devices)}|{string.Join('/', wire.Shares.Select(s => $"{s.Heads}:{s.MlpColumns}"))}";
        if (!cache.IsPrepared(sliceKey))
        {
            // Load every device's slice before the first request on this split, so no shard waits for a peer's disk.
            await Task.WhenAll(shards.Select((shard, rank) => shard.PrepareAsync(wire, rank, devices))).ConfigureAwait(true);
            cache.Prepared(sliceKey);
        }

        var runs = shards.Select((shard, rank) => shard.RunAsync(new ShardRequest(requestId, tokenIds, [], [], wire, rank, devices) { Progress = progress })).ToList();
        var pending = new List<Task<ShardOutput>>(runs);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(true);
            pending.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                var reason = done.Exception?.InnerException?.Message ?? "a shard's run was cancelled";
                await Task.WhenAll(shards.Select(shard => abort(shard, requestId, reason))).ConfigureAwait(true);
                await done.ConfigureAwait(true);
            }
        }

        var hiddenSize = model.Config.HiddenSize;
        var hidden = GC.AllocateUninitializedArray<byte>(tokenIds.Length * hiddenSize * sizeof(float));
        var timings = new DeviceTiming[runs.Count];
        var covered = 0;
        for (var rank = 0; rank < runs.Count; rank++)
        {
            var output = runs[rank].Result;
            output.Rows.Bytes.CopyTo(hidden.AsSpan(output.RowStart * hiddenSize * sizeof(float)));
            covered += output.Rows.Bytes.Length;
            timings[rank] = new DeviceTiming(output.Device, rank, wire.Shares[rank], output.Layers.Sum(l => l.ComputeMilliseconds), output.WallMilliseconds, output.Layers)
            {
                PredictedComputeMilliseconds = planned.Prediction.Devices[rank].ComputeSeconds * 1000,
                PredictedWallMilliseconds = planned.Prediction.TotalSeconds * 1000,
            };
        }

        if (covered != hidden.Length)
        {
            throw new InvalidOperationException($"The shards returned {covered / sizeof(float) / hiddenSize} of the request's {tokenIds.Length} rows.");
        }

        return (TensorPayload.FromBytes(hidden), timings);
    }
}
