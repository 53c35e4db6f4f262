namespace Galaxy.Grains;

/// <summary>How one request is split: the mode, each rank's share, and how the collectives are tiled.</summary>
/// <param name="Mode">The parallel scheme.</param>
/// <param name="Shares">Per rank, in ring order.</param>
/// <param name="Overlap">Pipeline GEMM tiles with the ring steps.</param>
/// <param name="TileRows">Rows per tile inside a chunk; 0 sends each chunk whole.</param>
/// <param name="Exchange">How the collectives move chunks between the ranks.</param>
/// <param name="Precision">How tiles are encoded where they cross a link.</param>
/// <param name="Output">What the request returns, and so which shards compute the head.</param>
[GenerateSerializer, Immutable, Alias("galaxy.shard-plan")]
public sealed record ShardPlan(
    [property: Id(0)] PlanMode Mode,
    [property: Id(1)] IReadOnlyList<PlanShare> Shares,
    [property: Id(2)] bool Overlap,
    [property: Id(3)] int TileRows,
    [property: Id(4)] PlanExchange Exchange = PlanExchange.Ring,
    [property: Id(5)] PlanLinkPrecision Precision = PlanLinkPrecision.Fp32,
    [property: Id(6)] PlanOutput Output = PlanOutput.HiddenStates);
