namespace Galaxy.Grains;

/// <summary>A weight slice a device holds in memory: heads [HeadStart, HeadEnd) and MLP columns [ColumnStart, ColumnEnd) of every layer of a model.</summary>
[GenerateSerializer, Immutable, Alias("galaxy.loaded-slice")]
public sealed record LoadedSlice(
    [property: Id(0)] string ModelId,
    [property: Id(1)] int HeadStart,
    [property: Id(2)] int HeadEnd,
    [property: Id(3)] int ColumnStart,
    [property: Id(4)] int ColumnEnd,
    [property: Id(5)] long Bytes);
