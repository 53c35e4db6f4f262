namespace Galaxy.Grains;

/// <summary>One tile from rank <paramref name="SourceRank"/> to a peer shard: the fields of the kernels' <c>TileKey</c> and its rows as encoded for the link.</summary>
/// <param name="RequestId">The request the tile belongs to.</param>
/// <param name="Layer">The layer.</param>
/// <param name="Phase">The collective (the kernels' <c>CollectivePhase</c> as a number).</param>
/// <param name="Step">The ring step.</param>
/// <param name="Tile">The tile within the step.</param>
/// <param name="SourceRank">The sender's rank in the request's plan.</param>
/// <param name="Data">
/// The tile's rows in the plan's link precision (the kernels' <c>TileCodec</c>: fp32, bf16, or int8 with a scale per
/// row): opaque bytes, written by Orleans as one length-prefixed block. Never changed after the message is built.
/// </param>
[GenerateSerializer, Immutable, Alias("galaxy.tile")]
public sealed record TileMessage(
    [property: Id(0)] long RequestId,
    [property: Id(1)] int Layer,
    [property: Id(2)] int Phase,
    [property: Id(3)] int Step,
    [property: Id(4)] int Tile,
    [property: Id(5)] int SourceRank,
    [property: Id(6)] byte[] Data);
