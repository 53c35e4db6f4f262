namespace Galaxy.Grains;

/// <summary>One device's part in a request and its time.</summary>
/// <param name="Device">The device name.</param>
/// <param name="Rank">Its rank in the plan.</param>
/// <param name="Share">Its heads, MLP columns and rows.</param>
/// <param name="ComputeMilliseconds">Arithmetic over all layers.</param>
/// <param name="WallMilliseconds">The shard's whole run, waits for tiles included.</param>
/// <param name="Layers">Per layer.</param>
[GenerateSerializer, Immutable, Alias("galaxy.device-timing")]
public sealed record DeviceTiming(
    [property: Id(0)] string Device,
    [property: Id(1)] int Rank,
    [property: Id(2)] PlanShare Share,
    [property: Id(3)] double ComputeMilliseconds,
    [property: Id(4)] double WallMilliseconds,
    [property: Id(5)] IReadOnlyList<LayerTime> Layers)
{
    /// <summary>The planner's prediction of <see cref="ComputeMilliseconds"/> for this request (0 when it made none).</summary>
    [Id(6)]
    public double PredictedComputeMilliseconds { get; init; }

    /// <summary>The planner's prediction of the request's latency, the wall time every device's part ends by (0 when it made none).</summary>
    [Id(7)]
    public double PredictedWallMilliseconds { get; init; }
}
