using Galaxy.Grains.Profiling;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Galaxy.Grains;

/// <summary>Registers Galaxy's grains and their silo-side services on a device silo.</summary>
public static class GalaxyGrainsSiloBuilderExtensions
{
    /// <summary>
    /// The grains' services (<see cref="GalaxyGrainsServiceCollectionExtensions.AddGalaxyGrains"/>), the device's
    /// profile measured at start and published to the registry (<see cref="DeviceProfileService"/>), the tile sockets
    /// (<see cref="TileSocketHub"/>, listening from the silo's runtime-services stage), and the memory
    /// stream provider <see cref="GalaxyStreams.ProviderName"/> with its <c>PubSubStore</c> for progress events.
    /// </summary>
    public static ISiloBuilder AddGalaxyGrains(this ISiloBuilder silo, Action<GalaxyDeviceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddGalaxyGrains(configure);
        silo.Services.AddSingleton<DeviceProfileService>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<DeviceProfileService>());
        silo.Services.AddSingleton<TileSocketHub>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<TileSocketHub>());
        silo.AddMemoryStreams(GalaxyStreams.ProviderName, streams =>
        {
            streams.ConfigurePartitioning(GalaxyStreams.Queues);
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = GalaxyStreams.PollingPeriod));
        });
        silo.AddMemoryGrainStorage("PubSubStore");
        return silo;
    }
}
