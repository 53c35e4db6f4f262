namespace Galaxy.Grains;

/// <summary>How a shard grain sends tiles to its peers (the receiving side accepts both).</summary>
public enum TileTransport
{
    /// <summary>Frames over one persistent TCP connection per peer silo (<see cref="TileSocketHub"/>); Orleans keeps only the control plane.</summary>
    Sockets,

    /// <summary>One <see cref="IShardGrain.ReceiveTileAsync"/> grain call per tile (the first design).</summary>
    GrainCalls,
}
