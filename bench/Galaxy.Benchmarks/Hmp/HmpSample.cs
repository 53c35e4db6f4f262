using Galaxy.Kernels.Parallel;

namespace Galaxy.Benchmarks.Hmp;

/// <summary>One measured request: its report and the CPU time the whole process used while it ran.</summary>
/// <param name="Report">Per device, layer and collective.</param>
/// <param name="ProcessCpuMilliseconds">This process's CPU time during the request (all devices, ring tasks and link pumps; embedding included).</param>
public sealed record HmpSample(ParallelReport Report, double ProcessCpuMilliseconds);
