namespace Galaxy.Grains;

/// <summary>Where a shard grain runs: the device its silo serves and the silo's name and address.</summary>
[GenerateSerializer, Immutable, Alias("galaxy.shard-location")]
public sealed record ShardLocation(
    [property: Id(0)] string Device,
    [property: Id(1)] string SiloName,
    [property: Id(2)] string SiloAddress);
