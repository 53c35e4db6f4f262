namespace Galaxy.Benchmarks.Hmp;

/// <summary>The <c>hmp</c> benchmark's rows and the machine load seen while each group ran.</summary>
public sealed record HmpOutcome(IReadOnlyList<HmpRow> Rows, IReadOnlyList<HmpGroupLoad> Groups, int LayersTimed);
