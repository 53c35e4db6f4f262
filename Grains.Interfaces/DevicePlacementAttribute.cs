using Orleans.Placement;

namespace Galaxy.Grains;

/// <summary>Marks a grain class whose key names the device it must run on (see <see cref="DevicePlacementStrategy"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class DevicePlacementAttribute() : PlacementAttribute(DevicePlacementStrategy.Instance);
