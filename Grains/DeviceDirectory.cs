using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Galaxy.Grains;

/// <summary>The devices of the silos that are active now, read from membership and each silo's <c>galaxy.device</c> metadata.</summary>
public sealed class DeviceDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
{
    /// <summary>The device names, sorted; silos whose metadata has not arrived yet are left out.</summary>
    public IReadOnlyList<string> ActiveDevices() => [.. ActiveSilos().Select(entry => entry.Device)];

    /// <summary>The active devices and their silos, sorted by device; one silo per device (the newest when a device re-joined before its old silo was declared dead).</summary>
    public IReadOnlyList<(string Device, SiloAddress Silo)> ActiveSilos() =>
    [
        .. membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => (Device: metadata.GetSiloMetadata(member.SiloAddress).Metadata.TryGetValue(DeviceKeys.MetadataKey, out var device) ? device : null, member.SiloAddress))
            .Where(entry => entry.Device is not null)
            .GroupBy(entry => entry.Device!, StringComparer.Ordinal)
            .Select(group => (Device: group.Key, Silo: group.MaxBy(entry => entry.SiloAddress.Generation).SiloAddress))
            .OrderBy(entry => entry.Device, StringComparer.Ordinal),
    ];

    /// <summary>Whether membership still counts <paramref name="silo"/> as a member that has not shut down or died.</summary>
    public bool IsAlive(SiloAddress silo) =>
        membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) && member.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created;
}
