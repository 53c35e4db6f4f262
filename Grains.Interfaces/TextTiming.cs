namespace Galaxy.Grains;

/// <summary>How one text of an embed request ran: its token count, each device's part and the wall time.</summary>
[GenerateSerializer, Immutable, Alias("galaxy.text-timing")]
public sealed record TextTiming(
    [property: Id(0)] int Tokens,
    [property: Id(1)] IReadOnlyList<DeviceTiming> Devices,
    [property: Id(2)] double WallMilliseconds)
{
    /// <summary>Runs it took: 1, or more when devices failed during the text and the coordinator re-planned on the survivors.</summary>
    [Id(3)]
    public int Attempts { get; init; } = 1;

    /// <summary>The planner's predicted latency of the run that answered (0 when it made none).</summary>
    [Id(4)]
    public double PredictedMilliseconds { get; init; }
}
