using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>The cost model's prediction for one plan at one sequence length.</summary>
/// <param name="TotalSeconds">The request's latency: layers × the slowest device's layer time + embedding + head + request overhead.</param>
/// <param name="LayerSeconds">One layer, from the first block's start to the last device's end.</param>
/// <param name="Exchange">The collective algorithm the prediction assumed.</param>
/// <param name="Devices">Per device, in rank order.</param>
public sealed record Prediction(double TotalSeconds, double LayerSeconds, CollectiveAlgorithm Exchange, IReadOnlyList<DevicePrediction> Devices)
{
    /// <summary>True when every device's memory fits its budget.</summary>
    public bool Fits => Devices.All(d => d.Fits);
}
