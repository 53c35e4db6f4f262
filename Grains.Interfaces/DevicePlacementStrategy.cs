using Orleans.Runtime;

namespace Galaxy.Grains;

/// <summary>
/// Places a grain keyed "{model}/{device}[/…]" on the silo whose <see cref="DeviceKeys.MetadataKey"/> metadata
/// names that device; the silo's director fails the activation when no silo does.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("galaxy.device-placement")]
public sealed class DevicePlacementStrategy : PlacementStrategy
{
    /// <summary>The one instance every grain class shares.</summary>
    public static DevicePlacementStrategy Instance { get; } = new();
}
