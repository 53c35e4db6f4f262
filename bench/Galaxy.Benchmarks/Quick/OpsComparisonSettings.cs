using Galaxy.Benchmarks.Ops;

namespace Galaxy.Benchmarks.Quick;

/// <summary>What the <c>ops</c> command measures and where it writes the result.</summary>
/// <param name="Cases">Op cases to measure, in order.</param>
/// <param name="Plan">Samples, batch length and warm-up.</param>
/// <param name="JsonPath">File for the JSON result, or null for the table only.</param>
public sealed record OpsComparisonSettings(IReadOnlyList<OpCase> Cases, SamplingPlan Plan, string? JsonPath);
