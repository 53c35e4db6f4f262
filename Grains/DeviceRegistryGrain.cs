using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Galaxy.Grains;

/// <summary>
/// The cluster's registry of profiles and links (<see cref="IDeviceRegistryGrain"/>). Kept in memory and always
/// active (idle collection would forget it); a registry that starts empty — first use, or its silo died — fills up
/// again because every device republishes on membership changes and because a read asks a live device without a
/// profile for it directly. Reads filter by the registry silo's membership view: a device whose silo left, or that
/// re-joined on a new silo, is never reported with the old profile.
/// </summary>
[Reentrant]
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class DeviceRegistryGrain(DeviceDirectory directory, ILogger<DeviceRegistryGrain> logger) : Grain, IDeviceRegistryGrain
{
    // A link probe's bandwidth payload: 1 MiB, large enough that bytes, not the fixed cost of a call, dominate.
    private const int LinkPayloadBytes = 1 << 20;

    private static readonly TimeSpan PullTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, DeviceProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), LinkProfile> _links = [];

    public Task PublishAsync(DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (string.IsNullOrWhiteSpace(profile.Device) || string.IsNullOrWhiteSpace(profile.Silo))
        {
            throw new ArgumentException($"A device profile needs a device name and a silo, got device '{profile.Device}' on silo '{profile.Silo}'.", nameof(profile));
        }

        _profiles[profile.Device] = profile;
        DeviceRegistryGrainLog.Published(logger, profile.Device, profile.Silo, profile.Models.Count);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<DeviceProfile>> GetProfilesAsync()
    {
        var live = directory.ActiveSilos();
        Forget(live);
        var missing = live.Where(entry => !_profiles.ContainsKey(entry.Device)).ToArray();
        if (missing.Length > 0)
        {
            // Fan out to every device without a profile at once; one that does not answer in time stays without one.
            var pulled = await Task.WhenAll(missing.Select(entry => PullAsync(entry.Device))).ConfigureAwait(true);
            foreach (var profile in pulled.OfType<DeviceProfile>())
            {
                if (live.Any(entry => entry.Device == profile.Device && entry.Silo.ToString() == profile.Silo))
                {
                    _profiles[profile.Device] = profile;
                }
            }
        }

        return [.. live.Select(entry => _profiles.GetValueOrDefault(entry.Device)).OfType<DeviceProfile>()];
    }

    public async Task<IReadOnlyList<LinkProfile>> MeasureLinksAsync()
    {
        var devices = directory.ActiveDevices();
        if (devices.Count < 2)
        {
            throw new InvalidOperationException($"Links need two devices; the cluster has {devices.Count} ({string.Join(", ", devices)}).");
        }

        // One link at a time: concurrent probes would share the sockets and the cores and measure each other.
        foreach (var from in devices)
        {
            foreach (var to in devices.Where(d => d != from))
            {
                var link = await GrainFactory.GetGrain<IDeviceGrain>(DeviceKeys.Agent(from)).MeasureLinkAsync(to, LinkPayloadBytes).ConfigureAwait(true);
                _links[(from, to)] = link;
                DeviceRegistryGrainLog.LinkMeasured(logger, from, to, link.LatencyMilliseconds, link.BytesPerSecond / 1e6);
            }
        }

        return await GetLinksAsync().ConfigureAwait(true);
    }

    public Task<IReadOnlyList<LinkProfile>> GetLinksAsync()
    {
        var live = directory.ActiveSilos();
        Forget(live);
        IReadOnlyList<LinkProfile> links = [.. _links.Values.OrderBy(l => l.From, StringComparer.Ordinal).ThenBy(l => l.To, StringComparer.Ordinal)];
        return Task.FromResult(links);
    }

    /// <summary>Drops profiles of devices that are not live (or whose silo changed) and links that touch them.</summary>
    private void Forget(IReadOnlyList<(string Device, Orleans.Runtime.SiloAddress Silo)> live)
    {
        var silos = live.ToDictionary(entry => entry.Device, entry => entry.Silo.ToString(), StringComparer.Ordinal);
        foreach (var gone in _profiles.Where(pair => !silos.TryGetValue(pair.Key, out var silo) || silo != pair.Value.Silo).Select(pair => pair.Key).ToArray())
        {
            _profiles.Remove(gone);
            DeviceRegistryGrainLog.Dropped(logger, gone);
        }

        foreach (var stale in _links.Keys.Where(key => !silos.ContainsKey(key.From) || !silos.ContainsKey(key.To)).ToArray())
        {
            _links.Remove(stale);
        }
    }

    private async Task<DeviceProfile?> PullAsync(string device)
    {
        try
        {
            return await GrainFactory.GetGrain<IDeviceGrain>(DeviceKeys.Agent(device)).GetProfileAsync().WaitAsync(PullTimeout).ConfigureAwait(true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            DeviceRegistryGrainLog.PullFailed(logger, ex, device);
            return null;
        }
    }
}
