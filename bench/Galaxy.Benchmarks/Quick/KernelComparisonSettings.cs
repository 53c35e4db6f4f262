using Galaxy.Benchmarks.Gemm;
using Galaxy.Kernels.Gemm;

namespace Galaxy.Benchmarks.Quick;

/// <summary>What the <c>kernels</c> command measures and where it writes the result.</summary>
/// <param name="Shapes">Products to measure, in order.</param>
/// <param name="Threads">Thread counts to measure each shape at.</param>
/// <param name="Kernel">Galaxy micro-kernel to force, or null for the best one here.</param>
/// <param name="Plan">Samples, batch length and warm-up.</param>
/// <param name="JsonPath">File for the JSON result, or null for the table only.</param>
public sealed record KernelComparisonSettings(
    IReadOnlyList<GemmShape> Shapes,
    IReadOnlyList<int> Threads,
    GemmKernelKind? Kernel,
    SamplingPlan Plan,
    string? JsonPath);
