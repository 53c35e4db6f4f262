namespace Galaxy.Grains;

/// <summary>Where a shard publishes its <see cref="LayerProgress"/> for one run, and what to label it with.</summary>
/// <param name="Stream">The progress stream's id (<see cref="GalaxyStreams.Progress"/>).</param>
/// <param name="Text">The text's index in an embed request; 0 for infer.</param>
/// <param name="Attempt">1 for the first run, 2… after a re-plan.</param>
[GenerateSerializer, Immutable, Alias("galaxy.progress-route")]
public sealed record ProgressRoute(
    [property: Id(0)] Guid Stream,
    [property: Id(1)] int Text,
    [property: Id(2)] int Attempt);
