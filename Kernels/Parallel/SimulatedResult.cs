namespace Galaxy.Kernels.Parallel;

/// <summary>A request's result on simulated devices: the whole last hidden state (S, H) and what each device reported.</summary>
public sealed record SimulatedResult(float[] Hidden, IReadOnlyList<ShardResult> Devices);
