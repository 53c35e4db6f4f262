namespace Galaxy.Kernels.Parallel;

/// <summary>What one device returns for a request: its rows of the final hidden state and its per-layer timing.</summary>
/// <param name="RowStart">First sequence row of <paramref name="Rows"/>.</param>
/// <param name="Rows">(rows, H): this device's rows of the last hidden state (after the final LayerNorm for decoders).</param>
/// <param name="Layers">Per layer compute and wall time.</param>
public sealed record ShardResult(int RowStart, float[] Rows, IReadOnlyList<LayerTiming> Layers);
