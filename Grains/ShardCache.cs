namespace Galaxy.Grains;

/// <summary>
/// What a coordinator remembers between fan-outs: the splits whose slices its shards have loaded, and its shard
/// grain references (making one parses the key and looks the interface up: tens of microseconds per request for
/// three devices, on the request's path).
/// </summary>
internal sealed class ShardCache
{
    private readonly HashSet<string> _prepared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IShardGrain> _shards = new(StringComparer.Ordinal);

    /// <summary>The shard of <paramref name="modelId"/> on <paramref name="device"/>.</summary>
    public IShardGrain Shard(IGrainFactory grains, string modelId, string device)
    {
        var key = DeviceKeys.Shard(modelId, device);
        if (!_shards.TryGetValue(key, out var shard))
        {
            shard = grains.GetGrain<IShardGrain>(key);
            _shards[key] = shard;
        }

        return shard;
    }

    /// <summary>Whether the shards of the split <paramref name="sliceKey"/> have loaded their slices.</summary>
    public bool IsPrepared(string sliceKey) => _prepared.Contains(sliceKey);

    /// <summary>Remembers that the shards of <paramref name="sliceKey"/> have loaded their slices.</summary>
    public void Prepared(string sliceKey) => _prepared.Add(sliceKey);
}
