namespace Galaxy.Grains;

/// <summary>What one shard returns for a request: its part of the plan's output (by default its rows of the last hidden state) and its timing.</summary>
/// <param name="Device">The device that ran the shard.</param>
/// <param name="RowStart">First sequence row of <paramref name="Rows"/>.</param>
/// <param name="Rows">
/// Its part of the plan's output: (rows, H) of the last hidden state or (rows, V) of logits; for a single-vector
/// output (pooled embedding, pooler, next-token logits) the vector on the shard that computed it, empty on the others.
/// </param>
/// <param name="Layers">Per layer compute and wall time.</param>
/// <param name="WallMilliseconds">The whole run on the device, from the call's arrival to its result.</param>
[GenerateSerializer, Immutable, Alias("galaxy.shard-output")]
public sealed record ShardOutput(
    [property: Id(0)] string Device,
    [property: Id(1)] int RowStart,
    [property: Id(2)] TensorPayload Rows,
    [property: Id(3)] IReadOnlyList<LayerTime> Layers,
    [property: Id(4)] double WallMilliseconds);
