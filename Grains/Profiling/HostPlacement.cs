namespace Galaxy.Grains.Profiling;

/// <summary>Where a device's process runs: the host it shares with other devices, the host's CPUs and the process's CPU quota.</summary>
/// <param name="Host">A stable identity of the physical machine (see <see cref="HostProbe"/>).</param>
/// <param name="HostProcessorCount">CPUs in the process's affinity mask, ≥ 1.</param>
/// <param name="CpuQuotaCores">The tightest CFS quota of the process's cgroup and its ancestors, in cores; null when unlimited.</param>
public sealed record HostPlacement(string Host, int HostProcessorCount, double? CpuQuotaCores);
