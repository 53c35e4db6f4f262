namespace Galaxy.Kernels.Parallel;

/// <summary>A request's result on simulated devices: the plan's whole output and what each device reported.</summary>
/// <param name="Output">
/// The plan's <see cref="ParallelPlan.Output"/>: (S, H) hidden states, (H) pooled embedding or pooler output,
/// (S, V) or (V) logits.
/// </param>
/// <param name="Devices">Each device's result, by rank.</param>
/// <param name="Kind">Which output <paramref name="Output"/> is.</param>
public sealed record SimulatedResult(float[] Output, IReadOnlyList<ShardResult> Devices, ParallelOutput Kind = ParallelOutput.HiddenStates)
{
    /// <summary>The last hidden state (S, H), for a plan whose output is <see cref="ParallelOutput.HiddenStates"/>.</summary>
    /// <exception cref="InvalidOperationException">The plan asked for another output.</exception>
    public float[] Hidden => Kind == ParallelOutput.HiddenStates
        ? Output
        : throw new InvalidOperationException($"This request's plan returns {Kind}, not the hidden states; read Output.");
}
