namespace Galaxy.Grains;

/// <summary>The last hidden state of one sequence and where it was computed.</summary>
/// <param name="Tokens">Sequence length S.</param>
/// <param name="HiddenSize">H.</param>
/// <param name="Hidden">(S, H), row-major.</param>
/// <param name="Devices">Per device, in rank order.</param>
/// <param name="WallMilliseconds">The coordinator's time for the request.</param>
[GenerateSerializer, Immutable, Alias("galaxy.infer-result")]
public sealed record InferResult(
    [property: Id(0)] int Tokens,
    [property: Id(1)] int HiddenSize,
    [property: Id(2)] TensorPayload Hidden,
    [property: Id(3)] IReadOnlyList<DeviceTiming> Devices,
    [property: Id(4)] double WallMilliseconds)
{
    /// <summary>Runs it took: 1, or more when devices failed during the request and the coordinator re-planned on the survivors.</summary>
    [Id(5)]
    public int Attempts { get; init; } = 1;

    /// <summary>The planner's predicted latency of the run that answered (the layers, embedding and fan-out; 0 when it made none).</summary>
    [Id(6)]
    public double PredictedMilliseconds { get; init; }

    /// <summary>How the run's collectives moved chunks (the planner chooses per plan).</summary>
    [Id(7)]
    public PlanExchange Exchange { get; init; }
}
