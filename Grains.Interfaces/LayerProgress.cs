namespace Galaxy.Grains;

/// <summary>
/// One device finished one layer of a request: the event on a request's progress stream
/// (<see cref="GalaxyStreams.Progress"/>), one per device and layer.
/// </summary>
/// <param name="RequestId">The run's id (a re-planned request runs again under a new id).</param>
/// <param name="Attempt">1 for the first run, 2… after a re-plan.</param>
/// <param name="Text">The text's index in an embed request; 0 for infer.</param>
/// <param name="Device">The device.</param>
/// <param name="Layer">The layer it finished, 0-based.</param>
/// <param name="Layers">The model's layer count.</param>
[GenerateSerializer, Immutable, Alias("galaxy.layer-progress")]
public sealed record LayerProgress(
    [property: Id(0)] long RequestId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] int Text,
    [property: Id(3)] string Device,
    [property: Id(4)] int Layer,
    [property: Id(5)] int Layers);
