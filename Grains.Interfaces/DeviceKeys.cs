namespace Galaxy.Grains;

/// <summary>The names that tie grains to devices: the silo metadata key and the key formats "{model}/{device}" (shards) and "device/{device}" (device agents).</summary>
public static class DeviceKeys
{
    /// <summary>Silo metadata key whose value is the silo's device name.</summary>
    public const string MetadataKey = "galaxy.device";

    /// <summary>The key of model <paramref name="model"/>'s shard grain on <paramref name="device"/>.</summary>
    public static string Shard(string model, string device) => $"{model}/{device}";

    /// <summary>The key of <paramref name="device"/>'s <see cref="IDeviceGrain"/>: "device/{device}".</summary>
    public static string Agent(string device) => $"device/{device}";

    /// <summary>The device part of a key "{model}/{device}[/…]".</summary>
    /// <exception cref="ArgumentException">The key has no device part.</exception>
    public static string DeviceOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/');
        if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new ArgumentException($"A device-placed grain key must be \"{{model}}/{{device}}\", got \"{key}\".", nameof(key));
        }

        return parts[1];
    }

    /// <summary>The model part of a key "{model}/{device}[/…]".</summary>
    public static string ModelOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? key : key[..slash];
    }
}
