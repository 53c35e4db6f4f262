using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Galaxy.Grains;

/// <summary>The devices of the silos that are active now, read from membership and each silo's <c>galaxy.device</c> metadata.</summary>
public sealed class DeviceDirectory
{
    private readonly IClusterMembershipService _membership;
    private readonly Func<SiloAddress, string?> _deviceOf;

    // The last answer and the membership version it was read at; kept only when every active silo's metadata named
    // its device (metadata that has not arrived yet may arrive without membership changing).
    private volatile Snapshot? _last;

    /// <summary>Reads each silo's device from its <c>galaxy.device</c> metadata (null until the metadata has arrived).</summary>
    public DeviceDirectory(IClusterMembershipService membership, ISiloMetadataCache metadata)
        : this(membership, silo => metadata.GetSiloMetadata(silo).Metadata.TryGetValue(DeviceKeys.MetadataKey, out var device) ? device : null)
    {
    }

    /// <summary>Reads each silo's device with <paramref name="deviceOf"/> (tests).</summary>
    internal DeviceDirectory(IClusterMembershipService membership, Func<SiloAddress, string?> deviceOf)
    {
        _membership = membership;
        _deviceOf = deviceOf;
    }

    /// <summary>The device names, sorted; silos whose metadata has not arrived yet are left out.</summary>
    public IReadOnlyList<string> ActiveDevices() => Read().Devices;

    /// <summary>The active devices and their silos, sorted by device; one silo per device (the newest when a device re-joined before its old silo was declared dead).</summary>
    /// <remarks>Read again when membership changed; every request reads it twice, so an unchanged cluster costs a version check.</remarks>
    public IReadOnlyList<(string Device, SiloAddress Silo)> ActiveSilos() => Read().Silos;

    /// <summary>
    /// Reads the membership table again, waiting at most <paramref name="limit"/>, so the next answer reflects the
    /// table rather than the gossip this silo has received so far (a lost gossip message otherwise shows only at the
    /// next periodic table read, up to a minute later). A read that fails or takes longer leaves the current view.
    /// </summary>
    public async Task RefreshAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _membership.Refresh(default, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The view stays as gossip left it; the caller answers from that.
        }
    }

    /// <summary>Whether membership still counts <paramref name="silo"/> as a member that has not shut down or died.</summary>
    public bool IsAlive(SiloAddress silo) =>
        _membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) && member.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created;

    private Snapshot Read()
    {
        var members = _membership.CurrentSnapshot;
        if (_last is { } last && last.Version == members.Version)
        {
            return last;
        }

        var active = members.Members.Values.Where(member => member.Status == SiloStatus.Active).ToList();
        var named = active
            .Select(member => (Device: _deviceOf(member.SiloAddress), member.SiloAddress))
            .Where(entry => entry.Device is not null)
            .ToList();
        List<(string Device, SiloAddress Silo)> silos =
        [
            .. named
                .GroupBy(entry => entry.Device!, StringComparer.Ordinal)
                .Select(group => (Device: group.Key, Silo: group.MaxBy(entry => entry.SiloAddress.Generation).SiloAddress))
                .OrderBy(entry => entry.Device, StringComparer.Ordinal),
        ];
        var snapshot = new Snapshot(members.Version, silos, [.. silos.Select(entry => entry.Device)]);
        if (named.Count == active.Count)
        {
            _last = snapshot;
        }

        return snapshot;
    }

    private sealed record Snapshot(MembershipVersion Version, IReadOnlyList<(string Device, SiloAddress Silo)> Silos, IReadOnlyList<string> Devices);
}
