using Galaxy.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Galaxy.Silo;

/// <summary>Turns a silo into one Galaxy device: its name and metadata, device placement, and the grains' services.</summary>
public static class GalaxySiloBuilderExtensions
{
    /// <summary>
    /// Names the silo <paramref name="device"/>, tags it with <c>galaxy.device</c> = <paramref name="device"/>, places
    /// <see cref="DevicePlacementAttribute"/> grains by that tag, gives the grains the device's models directory, threads
    /// and memory budget (0 = not known), measures and publishes the device's profile at start, and registers the
    /// progress streams (<see cref="GalaxyGrainsSiloBuilderExtensions.AddGalaxyGrains"/>); the profile's line is the
    /// silo's start-up report (<see cref="DeviceProfileReport"/>).
    /// </summary>
    public static ISiloBuilder AddGalaxyDevice(this ISiloBuilder silo, string device, string modelsDirectory, int kernelThreads = 1, long memoryBudgetBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        silo.Configure<SiloOptions>(o => o.SiloName = device);
        silo.UseSiloMetadata(new Dictionary<string, string> { [DeviceKeys.MetadataKey] = device });
        silo.AddPlacementDirector<DevicePlacementStrategy, DevicePlacementDirector>();
        silo.AddGalaxyGrains(o =>
        {
            o.Device = device;
            o.ModelsDirectory = modelsDirectory;
            o.KernelThreads = kernelThreads;
            o.MemoryBudgetBytes = memoryBudgetBytes;
        });
        silo.Services.AddSingleton<ISiloStartupReport, DeviceProfileReport>();
        return silo;
    }
}
