using Galaxy.Benchmarks.Models;

namespace Galaxy.Benchmarks.Quick;

/// <summary>What the <c>model</c> command times and where it writes the result.</summary>
/// <param name="Cases">Sequence lengths and thread counts, in order.</param>
/// <param name="Plan">Samples, batch length and warm-up.</param>
/// <param name="JsonPath">File for the JSON result, or null for the table only.</param>
public sealed record ModelComparisonSettings(IReadOnlyList<ModelCase> Cases, SamplingPlan Plan, string? JsonPath);
