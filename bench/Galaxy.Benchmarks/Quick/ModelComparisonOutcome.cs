namespace Galaxy.Benchmarks.Quick;

/// <summary>Everything one timing run of the <c>model</c> command found.</summary>
/// <param name="Rows">One row per measured case.</param>
/// <param name="Mismatches">Cases where Galaxy and the anchor disagreed (those were not timed).</param>
/// <param name="ContendedBatches">Kept batches, both sides, during which another process competed for the CPU.</param>
/// <param name="Batches">Kept batches, both sides.</param>
public sealed record ModelComparisonOutcome(
    IReadOnlyList<ModelComparisonRow> Rows,
    IReadOnlyList<string> Mismatches,
    int ContendedBatches,
    int Batches);
