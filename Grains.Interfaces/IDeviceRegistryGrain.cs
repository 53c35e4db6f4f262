namespace Galaxy.Grains;

/// <summary>
/// The cluster's registry of device profiles and measured links: every device silo publishes its
/// <see cref="DeviceProfile"/> when it starts and again whenever membership changes (so a registry that moved to
/// another silo fills up again); profiles of silos that left are dropped. Key: always
/// <see cref="DeviceRegistry.Key"/> (one registry per cluster). State lives in memory only.
/// </summary>
[Alias("galaxy.IDeviceRegistryGrain")]
public interface IDeviceRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Stores <paramref name="profile"/> as its device's profile, replacing an older one.</summary>
    /// <exception cref="ArgumentException">The profile has no device name or silo.</exception>
    [Alias("publish")]
    Task PublishAsync(DeviceProfile profile);

    /// <summary>The profiles of the devices whose silos are alive, sorted by device.</summary>
    [Alias("profiles")]
    Task<IReadOnlyList<DeviceProfile>> GetProfilesAsync();

    /// <summary>Measures every directed link between the live devices, one after another, stores and returns them.</summary>
    /// <exception cref="InvalidOperationException">Fewer than two devices are live.</exception>
    [Alias("measure-links")]
    Task<IReadOnlyList<LinkProfile>> MeasureLinksAsync();

    /// <summary>The last measurement of every directed link between live devices (empty until <see cref="MeasureLinksAsync"/> ran).</summary>
    [Alias("links")]
    Task<IReadOnlyList<LinkProfile>> GetLinksAsync();
}
