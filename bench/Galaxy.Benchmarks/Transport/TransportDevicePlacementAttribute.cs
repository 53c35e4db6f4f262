using Orleans.Placement;

namespace Galaxy.Benchmarks.Transport;

/// <summary>Marks a grain class for <see cref="TransportDevicePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class TransportDevicePlacementAttribute : PlacementAttribute
{
    public TransportDevicePlacementAttribute()
        : base(TransportDevicePlacement.Instance)
    {
    }
}
