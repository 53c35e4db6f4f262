namespace Galaxy.Grains;

/// <summary>
/// One direction of the link between two devices, measured by ping-pong between their device grains: latency =
/// half the median round trip of an empty call; bandwidth = payload bytes / (median time of a call carrying the
/// payload − that round trip).
/// </summary>
/// <param name="From">The device that sent.</param>
/// <param name="To">The device that answered.</param>
/// <param name="LatencyMilliseconds">One-way latency α.</param>
/// <param name="BytesPerSecond">Bandwidth B.</param>
/// <param name="PayloadBytes">The size of the payload the bandwidth was measured with.</param>
/// <param name="MeasuredAt">When the measurement finished.</param>
[GenerateSerializer, Immutable, Alias("galaxy.link-profile")]
public sealed record LinkProfile(
    [property: Id(0)] string From,
    [property: Id(1)] string To,
    [property: Id(2)] double LatencyMilliseconds,
    [property: Id(3)] double BytesPerSecond,
    [property: Id(4)] int PayloadBytes,
    [property: Id(5)] DateTimeOffset MeasuredAt);
