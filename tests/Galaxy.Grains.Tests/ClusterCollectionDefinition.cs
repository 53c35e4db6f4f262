namespace Galaxy.Grains.Tests;

/// <summary>Test classes in this collection share one three-device cluster, started once per run.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollectionDefinition : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
