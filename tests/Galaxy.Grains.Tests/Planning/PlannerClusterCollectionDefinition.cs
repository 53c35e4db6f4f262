namespace Galaxy.Grains.Tests.Planning;

/// <summary>Test classes on the planner's own three-device cluster (unequal thread budgets).</summary>
[CollectionDefinition(Name)]
public sealed class PlannerClusterCollectionDefinition : ICollectionFixture<PlannerClusterFixture>
{
    public const string Name = "PlannerCluster";
}
