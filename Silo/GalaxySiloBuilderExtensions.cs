using Galaxy.Grains;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Galaxy.Silo;

/// <summary>Turns a silo into one Galaxy device: its name and metadata, device placement, and the grains' services.</summary>
public static class GalaxySiloBuilderExtensions
{
    /// <summary>
    /// Names the silo <paramref name="device"/>, tags it with <c>galaxy.device</c> = <paramref name="device"/>, places
    /// <see cref="DevicePlacementAttribute"/> grains by that tag, and gives the grains the device's models directory, threads
    /// and memory budget (0 = not known).
    /// </summary>
    public static ISiloBuilder AddGalaxyDevice(this ISiloBuilder silo, string device, string modelsDirectory, int kernelThreads = 1, long memoryBudgetBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        silo.Configure<SiloOptions>(o => o.SiloName = device);
        silo.UseSiloMetadata(new Dictionary<string, string> { [DeviceKeys.MetadataKey] = device });
        silo.AddPlacementDirector<DevicePlacementStrategy, DevicePlacementDirector>();
        silo.Services.AddGalaxyGrains(o =>
        {
            o.Device = device;
            o.ModelsDirectory = modelsDirectory;
            o.KernelThreads = kernelThreads;
            o.MemoryBudgetBytes = memoryBudgetBytes;
        });
        return silo;
    }
}
