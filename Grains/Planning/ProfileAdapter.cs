using Galaxy.Kernels.Model;

namespace Galaxy.Grains.Planning;

/// <summary>Turns what the silos measured (<see cref="DeviceProfile"/>, <see cref="LinkProfile"/>) into the planner's <see cref="PlanningCluster"/>.</summary>
public static class ProfileAdapter
{
    /// <summary>
    /// The rate assumed for a device when no device has a profile of the model: every device alike, so plans are even.
    /// </summary>
    public const double NominalFlopsPerSecond = 1e9;

    /// <summary>
    /// Connective rows per second when a profile did not measure them: the out-projection's rate / (40 · H), i.e. a
    /// LayerNorm row taken as worth 40·H FLOP of GEMM (it is memory-bound: a few passes over H values).
    /// </summary>
    public static double EstimatedConnectiveRowsPerSecond(double outputFlopsPerSecond, int hiddenSize) => outputFlopsPerSecond / (40.0 * hiddenSize);

    /// <summary>
    /// Device <paramref name="device"/>'s spec for <paramref name="modelId"/> from its profile (rates, budget, threads,
    /// and where it runs: host, host CPUs, quota), or null when the profile lacks the model.
    /// </summary>
    public static DeviceSpec? ToSpec(string device, DeviceProfile? profile, string modelId, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var model = profile?.For(modelId);
        if (model is null || model.Attention.Count == 0 || model.Gemms.Count == 0)
        {
            return null;
        }

        double Rate(string block) => model.Gemms.FirstOrDefault(g => g.Block == block)?.FlopsPerSecond ?? model.Gemms.Average(g => g.FlopsPerSecond);
        var gemm = new GemmRates(Rate(GemmBlocks.QueryKeyValue), Rate(GemmBlocks.Output), Rate(GemmBlocks.MlpUp), Rate(GemmBlocks.MlpDown));
        if (!gemm.IsValid || model.Attention.Any(a => !(a.FlopsPerSecond > 0) || !double.IsFinite(a.FlopsPerSecond)))
        {
            return null;
        }

        var connective = model.ConnectiveRowsPerSecond > 0 ? model.ConnectiveRowsPerSecond : EstimatedConnectiveRowsPerSecond(gemm.Output, config.HiddenSize);
        return new DeviceSpec(
            device,
            gemm,
            [.. model.Attention.Select(a => new AttentionRate(a.SequenceLength, a.FlopsPerSecond))],
            connective,
            profile!.MemoryBudgetBytes)
        {
            Host = string.IsNullOrWhiteSpace(profile.Host) ? null : profile.Host,
            HostProcessorCount = profile.HostProcessorCount > 0 ? profile.HostProcessorCount : null,
            CpuQuotaCores = profile.CpuQuotaCores is { } quota && double.IsFinite(quota) && quota > 0 ? quota : null,
            KernelThreads = profile.KernelThreads > 0 ? profile.KernelThreads : null,
        };
    }

    /// <summary>
    /// The planning cluster of <paramref name="devices"/> (in that order) for <paramref name="modelId"/>. A device whose
    /// profile lacks the model counts as the mean of those that have it (all at <see cref="NominalFlopsPerSecond"/> when
    /// none has) with an unlimited budget; <paramref name="speedFactors"/> (device → factor) scales a device's rates,
    /// e.g. from measured runs. Links: the measured ones, <paramref name="defaultLink"/> for the rest.
    /// </summary>
    public static PlanningCluster ToCluster(
        IReadOnlyList<string> devices,
        IReadOnlyList<DeviceProfile> profiles,
        IReadOnlyList<LinkProfile> links,
        string modelId,
        ModelConfig config,
        IReadOnlyDictionary<string, double>? speedFactors = null,
        LinkSpec? defaultLink = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(profiles);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(config);
        var specs = devices.Select(d => ToSpec(d, profiles.FirstOrDefault(p => p.Device == d), modelId, config)).ToArray();
        var known = specs.OfType<DeviceSpec>().ToArray();
        var standIn = known.Length > 0 ? Mean(known) : Nominal(config);
        var result = new DeviceSpec[devices.Count];
        for (var i = 0; i < devices.Count; i++)
        {
            var spec = specs[i] ?? standIn with { Name = devices[i], MemoryBudgetBytes = long.MaxValue };
            if (speedFactors is not null && speedFactors.TryGetValue(devices[i], out var factor) && double.IsFinite(factor) && factor > 0)
            {
                spec = spec.Scaled(factor);
            }

            result[i] = spec;
        }

        var measured = links
            .Where(l => l.BytesPerSecond > 0 && double.IsFinite(l.BytesPerSecond) && l.LatencyMilliseconds >= 0 && double.IsFinite(l.LatencyMilliseconds))
            .GroupBy(l => (l.From, l.To))
            .Select(g => g.MaxBy(l => l.MeasuredAt)!)
            .Select(l => KeyValuePair.Create((l.From, l.To), new LinkSpec(l.BytesPerSecond, l.LatencyMilliseconds / 1000)));
        return new PlanningCluster(result, measured, defaultLink);
    }

    private static DeviceSpec Mean(DeviceSpec[] known)
    {
        var lengths = known.SelectMany(k => k.Attention.Select(a => a.SequenceLength)).Distinct().Order().ToArray();
        return new DeviceSpec(
            "",
            new GemmRates(
                known.Average(k => k.Gemm.QueryKeyValue),
                known.Average(k => k.Gemm.Output),
                known.Average(k => k.Gemm.MlpUp),
                known.Average(k => k.Gemm.MlpDown)),
            [.. lengths.Select(length => new AttentionRate(length, known.Average(k => k.AttentionFlopsPerSecond(length))))],
            known.Average(k => k.ConnectiveRowsPerSecond),
            long.MaxValue);
    }

    private static DeviceSpec Nominal(ModelConfig config) =>
        new("", GemmRates.All(NominalFlopsPerSecond), [new AttentionRate(128, NominalFlopsPerSecond)], EstimatedConnectiveRowsPerSecond(NominalFlopsPerSecond, config.HiddenSize), long.MaxValue);
}
