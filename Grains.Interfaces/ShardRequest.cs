namespace Galaxy.Grains;

/// <summary>One request as every shard of its plan runs it.</summary>
/// <param name="RequestId">Names every tile of the request, so concurrent requests never mix.</param>
/// <param name="TokenIds">The whole sequence's token ids (S).</param>
/// <param name="TokenTypeIds">Empty, or S token types.</param>
/// <param name="KeyMask">Empty, or S bytes: 1 = token, 0 = padding.</param>
/// <param name="Plan">The split.</param>
/// <param name="Rank">The receiving shard's rank in <paramref name="Plan"/>.</param>
/// <param name="Peers">The devices of the plan in rank order (shard grain keys are "{model}/{device}").</param>
[GenerateSerializer, Immutable, Alias("galaxy.shard-request")]
public sealed record ShardRequest(
    [property: Id(0)] long RequestId,
    [property: Id(1)] int[] TokenIds,
    [property: Id(2)] int[] TokenTypeIds,
    [property: Id(3)] byte[] KeyMask,
    [property: Id(4)] ShardPlan Plan,
    [property: Id(5)] int Rank,
    [property: Id(6)] IReadOnlyList<string> Peers)
{
    /// <summary>Null, or where the shard publishes a <see cref="LayerProgress"/> for each layer it finishes.</summary>
    [Id(7)]
    public ProgressRoute? Progress { get; init; }
}
