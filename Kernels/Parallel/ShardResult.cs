namespace Galaxy.Kernels.Parallel;

/// <summary>What one device returns for a request: its part of the plan's output and its per-layer timing.</summary>
/// <param name="RowStart">First sequence row of this device.</param>
/// <param name="Rows">
/// This device's part of the plan's <see cref="ParallelPlan.Output"/>: for token-wise outputs its rows (rows, H) of
/// the last hidden state (after the final LayerNorm for decoders) or (rows, V) of logits; for a single-vector output
/// the vector on <see cref="ParallelPlan.OutputDevice"/> and empty on every other device.
/// </param>
/// <param name="Layers">Per layer compute and wall time.</param>
public sealed record ShardResult(int RowStart, float[] Rows, IReadOnlyList<LayerTiming> Layers);
