using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>
/// Plans until the heterogeneity-aware planner exists: every device gets heads, MLP columns and sequence rows in
/// proportion to its measured speed on the model's layer (<see cref="ProportionalSplit"/>, so the shares sum exactly
/// and a slow device may get 0 heads). A device without a profile counts as the mean of those with one (or all count
/// the same when none has one); a device whose every share rounds to 0 is left out of the plan.
/// </summary>
public static class ProportionalPlanner
{
    /// <summary>
    /// How the coordinator's plans move chunks: the direct exchange, one message step per collective instead of the
    /// ring's N − 1 with the same bytes per device (docs/cluster.md measures what a step costs between silos).
    /// </summary>
    public const CollectiveAlgorithm Exchange = CollectiveAlgorithm.Direct;

    /// <summary>
    /// The sequence length speeds are compared at (capped at the model's positions). One length for every request keeps
    /// a model's split of heads and columns the same whatever the request's length: each new split is a new weight slice
    /// every device has to load.
    /// </summary>
    public const int ReferenceLength = 128;

    /// <summary>The length <see cref="LayerSpeed"/> is evaluated at for planning <paramref name="config"/>.</summary>
    public static int ReferenceLengthOf(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Math.Min(ReferenceLength, config.MaxPositions);
    }

    /// <summary>
    /// A device's speed on one layer of <paramref name="config"/> at <paramref name="sequenceLength"/> rows, in layers per
    /// second: 1 / (Σ over the four GEMMs of 2·S·K·N / rate + attention's 4·S²·H / rate at the measured length nearest S).
    /// Null when the profile is missing or did not measure <paramref name="modelId"/>.
    /// </summary>
    public static double? LayerSpeed(DeviceProfile? profile, string modelId, ModelConfig config, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        var model = profile?.For(modelId);
        if (model is null || model.Gemms.Count == 0 || model.Attention.Count == 0)
        {
            return null;
        }

        var seconds = 0.0;
        foreach (var gemm in model.Gemms)
        {
            if (gemm.FlopsPerSecond <= 0)
            {
                return 0;
            }

            seconds += 2.0 * sequenceLength * gemm.Depth * gemm.Columns / gemm.FlopsPerSecond;
        }

        var attention = model.Attention.MinBy(a => Math.Abs(Math.Log((double)a.SequenceLength / sequenceLength)))!;
        if (attention.FlopsPerSecond <= 0)
        {
            return 0;
        }

        seconds += 4.0 * sequenceLength * sequenceLength * config.HiddenSize / attention.FlopsPerSecond;
        return 1 / seconds;
    }

    /// <summary>A hybrid plan (overlap on, whole chunks) over <paramref name="devices"/> with shares proportional to <paramref name="speeds"/>.</summary>
    /// <param name="config">The model.</param>
    /// <param name="sequenceLength">S.</param>
    /// <param name="devices">Candidate devices in rank order.</param>
    /// <param name="speeds">Per device: its speed (any unit, ≥ 0), or null when unknown.</param>
    /// <exception cref="ArgumentException">No devices, a count mismatch, or a negative or non-finite speed.</exception>
    public static ProportionalPlan Plan(ModelConfig config, int sequenceLength, IReadOnlyList<string> devices, IReadOnlyList<double?> speeds)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(speeds);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        if (devices.Count == 0)
        {
            throw new ArgumentException("A plan needs at least one device.", nameof(devices));
        }

        if (speeds.Count != devices.Count)
        {
            throw new ArgumentException($"{speeds.Count} speeds for {devices.Count} devices.", nameof(speeds));
        }

        var known = speeds.OfType<double>().ToArray();
        if (known.Any(s => !double.IsFinite(s) || s < 0))
        {
            throw new ArgumentException($"Speeds must be finite and ≥ 0, got {string.Join(", ", speeds)}.", nameof(speeds));
        }

        var stand = known.Length > 0 ? known.Average() : 1.0;
        var weights = speeds.Select(s => s ?? stand).ToArray();
        var heads = ProportionalSplit.Split(config.Heads, weights);
        var columns = ProportionalSplit.Split(config.IntermediateSize, weights);
        var rows = ProportionalSplit.Split(sequenceLength, weights);
        var used = Enumerable.Range(0, devices.Count).Where(d => heads[d] + columns[d] + rows[d] > 0).ToArray();
        var plan = new ParallelPlan(ParallelMode.Hybrid, [.. used.Select(d => new DeviceShare(heads[d], columns[d], rows[d]))]) { Exchange = Exchange };
        return new ProportionalPlan([.. used.Select(d => devices[d])], plan, [.. used.Select(d => weights[d])]);
    }
}
