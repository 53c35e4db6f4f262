using Galaxy.Grains;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Galaxy.Silo;

/// <summary>
/// Places a <see cref="DevicePlacementStrategy"/> grain on the silo whose <c>galaxy.device</c> metadata equals the
/// device part of the grain's key "{model}/{device}". Metadata reaches a silo's cache shortly after a membership
/// change, so a device not found yet is looked for again for a few seconds before the placement fails.
/// </summary>
public sealed class DevicePlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    private static readonly TimeSpan MetadataWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var device = DeviceKeys.DeviceOf(key);
        var deadline = DateTime.UtcNow + MetadataWait;
        while (true)
        {
            var silos = context.GetCompatibleSilos(target);
            var match = silos.FirstOrDefault(silo => DeviceOf(silo) == device);
            if (match is not null)
            {
                return match;
            }

            // Wait only while some silo's metadata is still unknown; otherwise the device is simply absent.
            if (DateTime.UtcNow >= deadline || silos.All(silo => DeviceOf(silo) is not null))
            {
                var known = string.Join(", ", silos.Select(silo => DeviceOf(silo) ?? $"{silo} (no metadata yet)"));
                throw new OrleansException($"No silo serves device '{device}' for grain '{key}'; the cluster's devices are: {known}.");
            }

            await Task.Delay(RetryDelay).ConfigureAwait(false);
        }
    }

    private string? DeviceOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(DeviceKeys.MetadataKey, out var device) ? device : null;
}
