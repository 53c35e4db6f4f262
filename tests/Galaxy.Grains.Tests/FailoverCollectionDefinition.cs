namespace Galaxy.Grains.Tests;

/// <summary>Tests that stop and kill silos: each starts its own cluster, and they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailoverCollectionDefinition
{
    public const string Name = "Failover";
}
