namespace Galaxy.Grains.Tests.Planning;

/// <summary>
/// Test classes on the planner's own three-device cluster (unequal thread budgets). They compare predictions with
/// measured latencies, so they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PlannerClusterCollectionDefinition : ICollectionFixture<PlannerClusterFixture>
{
    public const string Name = "PlannerCluster";
}
