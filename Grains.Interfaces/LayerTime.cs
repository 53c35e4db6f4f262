namespace Galaxy.Grains;

/// <summary>One device's time in one layer: arithmetic, and wall time including waits for tiles.</summary>
[GenerateSerializer, Immutable, Alias("galaxy.layer-time")]
public sealed record LayerTime(
    [property: Id(0)] int Layer,
    [property: Id(1)] double ComputeMilliseconds,
    [property: Id(2)] double WallMilliseconds);
