namespace Galaxy.Benchmarks.Hmp;

/// <summary>How long one (devices, link) group ran and how busy other processes kept the machine meanwhile.</summary>
/// <param name="Devices">Simulated devices.</param>
/// <param name="LinkSpec">The link as given.</param>
/// <param name="Duration">Wall time of the group, warm-up and cluster set-up included.</param>
/// <param name="CoresUsedByOthers">Mean cores used by other processes over the group, or null where not measurable.</param>
public sealed record HmpGroupLoad(int Devices, string LinkSpec, TimeSpan Duration, double? CoresUsedByOthers);
