namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// What a sender sends in one go: <paramref name="Count"/> payloads of <paramref name="Bytes"/> bytes
/// numbered from <paramref name="FirstSequence"/> in run <paramref name="RunId"/>, with at most
/// <paramref name="Window"/> calls in flight (direct-call paths only).
/// </summary>
[GenerateSerializer, Immutable, Alias("galaxy.bench.transport-burst")]
public sealed record TransportBurst(
    [property: Id(0)] int RunId,
    [property: Id(1)] int FirstSequence,
    [property: Id(2)] int Count,
    [property: Id(3)] int Window,
    [property: Id(4)] int Bytes);
