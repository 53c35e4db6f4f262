using Orleans.Runtime;

namespace Galaxy.Grains;

/// <summary>
/// Galaxy's client-facing event streams (DESIGN.md §6): Orleans memory streams under one provider, which device
/// silos register in <c>AddGalaxyDevice</c> and clients with <see cref="GalaxyClientBuilderExtensions.AddGalaxyClientStreams"/>.
/// </summary>
public static class GalaxyStreams
{
    /// <summary>The stream provider's name.</summary>
    public const string ProviderName = "galaxy";

    /// <summary>The namespace of per-request progress streams.</summary>
    public const string ProgressNamespace = "galaxy.progress";

    /// <summary>
    /// How often a silo's pulling agent polls the memory stream queue: every event waits up to one period (the Orleans
    /// default, 100 ms, is longer than a MiniLM request), and every poll is a grain call whether or not events wait.
    /// Measured on three idle silos in one process: 20 ms cost 70–130 ms of CPU per second, 50 ms 35–65 ms
    /// (docs/cluster.md); hence 50 ms and one queue.
    /// </summary>
    public static readonly TimeSpan PollingPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>Queues of the memory stream provider (the same on silos and clients).</summary>
    public const int Queues = 1;

    /// <summary>
    /// The stream of <see cref="LayerProgress"/> events for a request started with progress stream <paramref name="id"/>
    /// (subscribe to it before the call: events published before the subscription are not replayed).
    /// </summary>
    public static StreamId Progress(Guid id) => StreamId.Create(ProgressNamespace, id);
}
