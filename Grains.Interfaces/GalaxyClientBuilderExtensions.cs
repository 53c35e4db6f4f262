using Orleans.Hosting;

namespace Galaxy.Grains;

/// <summary>What a client of a Galaxy cluster registers to hear its events.</summary>
public static class GalaxyClientBuilderExtensions
{
    /// <summary>
    /// Adds Galaxy's stream provider (<see cref="GalaxyStreams.ProviderName"/>, memory streams) to the client, so it can
    /// subscribe to a request's progress: <c>client.GetStreamProvider(GalaxyStreams.ProviderName).GetStream&lt;LayerProgress&gt;(GalaxyStreams.Progress(id))</c>.
    /// </summary>
    public static IClientBuilder AddGalaxyClientStreams(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.AddMemoryStreams(GalaxyStreams.ProviderName, streams => streams.ConfigurePartitioning(GalaxyStreams.Queues));
    }
}
