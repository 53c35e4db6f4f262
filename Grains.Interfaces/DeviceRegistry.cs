namespace Galaxy.Grains;

/// <summary>Where the cluster's <see cref="IDeviceRegistryGrain"/> is.</summary>
public static class DeviceRegistry
{
    /// <summary>The registry's key.</summary>
    public const long Key = 0;
}
