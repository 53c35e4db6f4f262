namespace Galaxy.Grains;

/// <summary>One device's part of every layer: attention heads, MLP columns and sequence rows.</summary>
[GenerateSerializer, Immutable, Alias("galaxy.plan-share")]
public sealed record PlanShare(
    [property: Id(0)] int Heads,
    [property: Id(1)] int MlpColumns,
    [property: Id(2)] int Rows);
