namespace Galaxy.Benchmarks.Cluster;

/// <summary>The rows of one run and what the run noticed (skipped models, rounds cut short).</summary>
public sealed record ClusterOutcome(IReadOnlyList<ClusterRow> Rows, IReadOnlyList<string> Notes);
