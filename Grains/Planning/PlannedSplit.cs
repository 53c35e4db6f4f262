using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>A plan the planner chose: the devices it runs on (device <c>Devices[r]</c> is rank r of <see cref="Plan"/>), its prediction, and the devices it leaves out.</summary>
/// <param name="SequenceLength">The sequence length it was planned and predicted at.</param>
/// <param name="Devices">The devices used, in rank order.</param>
/// <param name="Plan">The split.</param>
/// <param name="Prediction">The cost model's prediction at <paramref name="SequenceLength"/>.</param>
/// <param name="Excluded">Devices given to the planner but not used, each with the reason.</param>
public sealed record PlannedSplit(int SequenceLength, IReadOnlyList<string> Devices, ParallelPlan Plan, Prediction Prediction, IReadOnlyList<ExcludedDevice> Excluded)
{
    /// <summary>The strategy that produced it.</summary>
    public PlanStrategy Strategy { get; init; } = PlanStrategy.Galaxy;

    /// <summary>How many (device subset, split) candidates the cost model predicted to choose it.</summary>
    public int CandidatesEvaluated { get; init; }
}
