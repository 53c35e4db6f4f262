namespace Galaxy.Grains;

/// <summary>
/// One evaluation request in one mode: the plan the planner made for it, what it predicted, and what the run measured;
/// or, when no set of devices holds the model in that mode, why (<see cref="Fits"/> false, nothing ran).
/// </summary>
/// <param name="Mode">The mode asked for.</param>
/// <param name="Fits">False when the planner's memory model says the mode does not fit the devices' budgets (reported as OOM).</param>
/// <param name="Reason">Why it does not fit (needed against available memory), or null.</param>
/// <param name="Devices">The devices the plan used, in rank order (empty when it does not fit).</param>
/// <param name="Plan">The plan run, or null when it does not fit.</param>
/// <param name="PredictedMilliseconds">The cost model's latency for the plan (0 when it does not fit).</param>
/// <param name="WallMilliseconds">Measured: from the fan-out to the last shard's answer, result assembled (0 when it does not fit).</param>
/// <param name="Timings">Per device, in rank order, its measured and predicted compute.</param>
/// <param name="Hidden">The last hidden state (S, H), or null when it does not fit.</param>
[GenerateSerializer, Immutable, Alias("galaxy.evaluation-run")]
public sealed record EvaluationRun(
    [property: Id(0)] EvaluationMode Mode,
    [property: Id(1)] bool Fits,
    [property: Id(2)] string? Reason,
    [property: Id(3)] IReadOnlyList<string> Devices,
    [property: Id(4)] ShardPlan? Plan,
    [property: Id(5)] double PredictedMilliseconds,
    [property: Id(6)] double WallMilliseconds,
    [property: Id(7)] IReadOnlyList<DeviceTiming> Timings,
    [property: Id(8)] TensorPayload? Hidden)
{
    /// <summary>Devices the planner was given but left out, each with its reason ("device: reason").</summary>
    [Id(9)]
    public IReadOnlyList<string> Excluded { get; init; } = [];
}
