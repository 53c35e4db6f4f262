using Orleans.Concurrency;

namespace Galaxy.Grains;

/// <summary>
/// One device's slice of a model: the heads, MLP columns and rows a plan gives that device in every layer. It
/// runs its part of each request and exchanges tiles of partial sums directly with the other shards of the plan.
/// Key: "{model}/{device}" — the model id and the device whose silo hosts it (<see cref="DevicePlacementAttribute"/>).
/// </summary>
[Alias("galaxy.IShardGrain")]
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>Loads this device's slice for <paramref name="plan"/> at <paramref name="rank"/> (once per slice) so the first request does not pay for it.</summary>
    /// <param name="plan">The split.</param>
    /// <param name="rank">This device's rank.</param>
    /// <param name="peers">The plan's devices in rank order.</param>
    [Alias("prepare")]
    Task PrepareAsync(ShardPlan plan, int rank, IReadOnlyList<string> peers);

    /// <summary>Runs this device's part of <paramref name="request"/>; every shard of the plan is called with the same request at once.</summary>
    /// <remarks>Interleaves: shards run requests in whatever order they arrive, and a shard waiting for another request's tiles must not block this one.</remarks>
    [Alias("run"), AlwaysInterleave]
    Task<ShardOutput> RunAsync(ShardRequest request);

    /// <summary>Delivers one tile from a peer; it interleaves with the running request that waits for it.</summary>
    [Alias("tile"), AlwaysInterleave]
    Task ReceiveTileAsync(TileMessage tile);

    /// <summary>Gives request <paramref name="requestId"/> up on this shard: its waits for tiles fail with <paramref name="reason"/> (another shard of the plan failed).</summary>
    [Alias("abort"), AlwaysInterleave]
    Task AbortAsync(long requestId, string reason);

    /// <summary>Where this grain runs.</summary>
    [Alias("where"), AlwaysInterleave]
    Task<ShardLocation> GetLocationAsync();
}
