using Orleans.Runtime;

namespace Galaxy.Benchmarks.Transport;

/// <summary>Places a string-keyed grain on the silo named by its key's prefix (<c>"{silo}/…"</c>).</summary>
[GenerateSerializer, Immutable, Alias("galaxy.bench.transport-device-placement")]
public sealed class TransportDevicePlacement : PlacementStrategy
{
    public static TransportDevicePlacement Instance { get; } = new();
}
