namespace Galaxy.SystemTests.Processes;

/// <summary>Tests that start silo processes run one class at a time and alone: three silos already fill two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollectionDefinition
{
    public const string Name = "processes";
}
