namespace Galaxy.Grains.Planning;

/// <summary>
/// A device's speed on the four GEMMs of one layer of a model, in FLOP/s (2 · M · K · N FLOP each), as its profile
/// measured them at the model's shapes (<see cref="GemmBlocks"/>). A share of a layer is costed at these rates: a
/// device with h heads computes 2 · S · H · 3·h·d FLOP of QKV at <see cref="QueryKeyValue"/>, and so on.
/// </summary>
/// <param name="QueryKeyValue">Fused Q, K, V projection (H → 3H).</param>
/// <param name="Output">Attention output projection (H → H).</param>
/// <param name="MlpUp">MLP up projection (H → F).</param>
/// <param name="MlpDown">MLP down projection (F → H).</param>
public readonly record struct GemmRates(double QueryKeyValue, double Output, double MlpUp, double MlpDown)
{
    /// <summary>The same rate for all four GEMMs.</summary>
    public static GemmRates All(double flopsPerSecond) => new(flopsPerSecond, flopsPerSecond, flopsPerSecond, flopsPerSecond);

    /// <summary>True when every rate is finite and &gt; 0.</summary>
    public bool IsValid => Valid(QueryKeyValue) && Valid(Output) && Valid(MlpUp) && Valid(MlpDown);

    /// <summary>Every rate multiplied by <paramref name="factor"/>.</summary>
    public GemmRates Scaled(double factor) => new(QueryKeyValue * factor, Output * factor, MlpUp * factor, MlpDown * factor);

    private static bool Valid(double rate) => double.IsFinite(rate) && rate > 0;
}
