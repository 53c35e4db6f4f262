namespace Galaxy.Grains;

/// <summary>What one shard returns for a request: its rows of the last hidden state and its timing.</summary>
/// <param name="Device">The device that ran the shard.</param>
/// <param name="RowStart">First sequence row of <paramref name="Rows"/>.</param>
/// <param name="Rows">(rows, H) of the last hidden state.</param>
/// <param name="Layers">Per layer compute and wall time.</param>
/// <param name="WallMilliseconds">The whole run on the device, from the call's arrival to its result.</param>
[GenerateSerializer, Immutable, Alias("galaxy.shard-output")]
public sealed record ShardOutput(
    [property: Id(0)] string Device,
    [property: Id(1)] int RowStart,
    [property: Id(2)] TensorPayload Rows,
    [property: Id(3)] IReadOnlyList<LayerTime> Layers,
    [property: Id(4)] double WallMilliseconds);
