using Microsoft.Extensions.DependencyInjection;

namespace Galaxy.Grains;

/// <summary>Registers what Galaxy's grains need on a silo.</summary>
public static class GalaxyGrainsServiceCollectionExtensions
{
    /// <summary>The device's options, its <see cref="ModelCatalog"/>, the <see cref="DeviceDirectory"/> and the silo's <see cref="TileInboxes"/>.</summary>
    public static IServiceCollection AddGalaxyGrains(this IServiceCollection services, Action<GalaxyDeviceOptions> configure)
    {
        services.Configure(configure);
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<DeviceDirectory>();
        services.AddSingleton<TileInboxes>();
        return services;
    }
}
