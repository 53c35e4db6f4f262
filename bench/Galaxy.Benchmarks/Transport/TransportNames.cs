using Orleans.Runtime;

namespace Galaxy.Benchmarks.Transport;

/// <summary>Provider, namespace and stream names shared by the benchmark's silos and grains.</summary>
public static class TransportNames
{
    public const string MemoryStreams = "transport-memory";
    public const string BroadcastChannel = "transport-broadcast";
    public const string Namespace = "transport";

    /// <summary>The one memory stream of the benchmark; runs are told apart by <see cref="TransportTile.RunId"/>.</summary>
    public static StreamId Stream { get; } = StreamId.Create(Namespace, "tiles");

    /// <summary>The silo name a grain key <c>"{silo}/{n}"</c> asks for.</summary>
    public static string SiloOf(string grainKey)
    {
        ArgumentNullException.ThrowIfNull(grainKey);
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? grainKey : grainKey[..slash];
    }
}
