using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Galaxy.Grains;

/// <summary>The devices of the silos that are active now, read from membership and each silo's <c>galaxy.device</c> metadata.</summary>
public sealed class DeviceDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    /// <summary>The device names, sorted; silos whose metadata has not arrived yet are left out.</summary>
    public IReadOnlyList<string> ActiveDevices() =>
    [
        .. membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => metadata.GetSiloMetadata(member.SiloAddress).Metadata.TryGetValue(DeviceKeys.MetadataKey, out var device) ? device : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal),
    ];
}
