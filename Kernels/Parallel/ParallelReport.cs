namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Where one request's time went on simulated (or real) devices: per device and layer, compute and wall time
/// and the bytes of each collective; per layer, the critical device and its exposed communication; per
/// collective phase, totals. Built from a <see cref="SimulatedResult"/> and the <see cref="CollectiveStats"/>
/// snapshot of that request alone (reset the stats before the request).
/// </summary>
/// <remarks>
/// <para>Definitions (all per layer, then summed or averaged over layers):</para>
/// <list type="bullet">
/// <item><b>Layer time</b> W = the longest wall time of any device in the layer.</item>
/// <item><b>Critical device</b> c = the device with the most compute time in the layer (the one that would
/// still bound the layer if communication were free).</item>
/// <item><b>Exposed communication</b> E = W − compute(c): the part of the layer that even the busiest device's
/// arithmetic did not cover. Besides waiting for tiles it holds the executor's own overhead (buffer
/// allocation, the ring's bookkeeping), which a one-device run shows as its floor.</item>
/// <item><b>Communication time</b> of a plan = E of the same plan run with <see cref="ParallelPlan.Overlap"/>
/// off: then every GEMM tile runs before or after its collective, so nothing hides the transfers.</item>
/// <item><b>Hidden share</b> = 1 − E(overlap on) / E(overlap off), same plan and tile size, both measured in
/// the same process (<see cref="HiddenShare(double, double)"/>). 1 means all communication hidden, 0 none;
/// below 0 the overlapped run exposed more than the plain one.</item>
/// <item><b>Modelled link time</b> of a device = the sum of <see cref="LinkModel.TransmissionTime"/> over the
/// messages it sent, <c>messages·latency + bytes / bandwidth</c>: the time its messages take if each waits for
/// the previous one to arrive (dependent ring steps do). Messages in flight together overlap their latencies, so
/// it is an upper bound of the link's share; <c>bytes / bandwidth</c> alone is the floor.</item>
/// </list>
/// </remarks>
public sealed class ParallelReport
{
    private ParallelReport(ParallelPlan plan, LinkModel? link, IReadOnlyList<DeviceLayerReport> deviceLayers, IReadOnlyList<LayerReport> layers, IReadOnlyList<CollectivePhaseTotal> phases)
    {
        Plan = plan;
        Link = link;
        DeviceLayers = deviceLayers;
        Layers = layers;
        Phases = phases;
    }

    public ParallelPlan Plan { get; }

    /// <summary>The link model the modelled times use, or null (they are then 0).</summary>
    public LinkModel? Link { get; }

    /// <summary>Every (device, layer), ordered by layer, then device.</summary>
    public IReadOnlyList<DeviceLayerReport> DeviceLayers { get; }

    /// <summary>One entry per layer, in order.</summary>
    public IReadOnlyList<LayerReport> Layers { get; }

    /// <summary>Totals per collective phase that moved anything, in phase order.</summary>
    public IReadOnlyList<CollectivePhaseTotal> Phases { get; }

    /// <summary>Σ over layers of the layer time W.</summary>
    public double WallMilliseconds => Layers.Sum(l => l.WallMilliseconds);

    /// <summary>Σ over layers of the critical device's (the most) compute time.</summary>
    public double ComputeMilliseconds => Layers.Sum(l => l.ComputeMilliseconds);

    /// <summary>Σ over layers of the exposed communication E.</summary>
    public double ExposedCommunicationMilliseconds => Layers.Sum(l => l.ExposedCommunicationMilliseconds);

    /// <summary>Σ over layers of the link-bound floor.</summary>
    public double ModelledLinkMilliseconds => Layers.Sum(l => l.ModelledLinkMilliseconds);

    /// <summary>Mean layer time.</summary>
    public double MeanLayerMilliseconds => Layers.Count == 0 ? 0 : WallMilliseconds / Layers.Count;

    /// <summary>Mean exposed communication per layer.</summary>
    public double MeanExposedCommunicationMilliseconds => Layers.Count == 0 ? 0 : ExposedCommunicationMilliseconds / Layers.Count;

    /// <summary>Mean link-bound floor per layer.</summary>
    public double MeanModelledLinkMilliseconds => Layers.Count == 0 ? 0 : ModelledLinkMilliseconds / Layers.Count;

    /// <summary>Mean over layers of the most bytes one device sent in a layer.</summary>
    public double MeanBytesSentPerDevice => Layers.Count == 0 ? 0 : Layers.Average(l => (double)l.BytesSentPerDevice);

    /// <summary>Builds the report of one request.</summary>
    /// <param name="plan">The plan the request ran under.</param>
    /// <param name="result">The request's result: every device's per-layer timing.</param>
    /// <param name="traffic">The <see cref="CollectiveStats.Snapshot"/> taken after the request, with nothing else in it.</param>
    /// <param name="link">The link model the devices were connected by, or null.</param>
    /// <exception cref="ArgumentException">The result's devices or layers do not match the plan, or the traffic names a device or layer the result lacks.</exception>
    public static ParallelReport Create(ParallelPlan plan, SimulatedResult result, IReadOnlyList<CollectiveTraffic> traffic, LinkModel? link = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(traffic);
        if (result.Devices.Count != plan.Devices)
        {
            throw new ArgumentException($"The result has {result.Devices.Count} devices but the plan has {plan.Devices}.", nameof(result));
        }

        var layerCount = result.Devices.Count == 0 ? 0 : result.Devices[0].Layers.Count;
        for (var d = 0; d < result.Devices.Count; d++)
        {
            var layers = result.Devices[d].Layers;
            if (layers.Count != layerCount || layers.Select((t, i) => t.Layer != i).Any(wrong => wrong))
            {
                throw new ArgumentException($"Device {d} reports layers {string.Join(", ", layers.Select(t => t.Layer))}; expected 0…{layerCount - 1} like device 0.", nameof(result));
            }
        }

        foreach (var entry in traffic)
        {
            if ((uint)entry.Rank >= (uint)plan.Devices || (uint)entry.Layer >= (uint)layerCount)
            {
                throw new ArgumentException(
                    $"Traffic of device {entry.Rank}, layer {entry.Layer} ({entry.Phase}) is outside the result's {plan.Devices} devices × {layerCount} layers.", nameof(traffic));
            }
        }

        var byDeviceLayer = traffic.ToLookup(t => (t.Rank, t.Layer));
        var deviceLayers = new List<DeviceLayerReport>(layerCount * plan.Devices);
        var layerReports = new List<LayerReport>(layerCount);
        for (var layer = 0; layer < layerCount; layer++)
        {
            var inLayer = new List<DeviceLayerReport>(plan.Devices);
            for (var d = 0; d < plan.Devices; d++)
            {
                var timing = result.Devices[d].Layers[layer];
                var collectives = byDeviceLayer[(d, layer)].OrderBy(t => t.Phase).ToList();
                var modelled = collectives.Sum(c => LinkMilliseconds(link, c.BytesSent, c.MessagesSent));
                inLayer.Add(new DeviceLayerReport(d, layer, timing.ComputeMilliseconds, timing.WallMilliseconds, collectives, modelled));
            }

            var critical = inLayer.Count == 0 ? null : inLayer.MaxBy(r => r.ComputeMilliseconds);
            layerReports.Add(new LayerReport(
                layer,
                critical?.Device ?? 0,
                inLayer.Count == 0 ? 0 : inLayer.Max(r => r.WallMilliseconds),
                critical?.ComputeMilliseconds ?? 0,
                inLayer.Count == 0 ? 0 : inLayer.Max(r => r.BytesSent),
                inLayer.Count == 0 ? 0 : inLayer.Max(r => r.ModelledLinkMilliseconds)));
            deviceLayers.AddRange(inLayer);
        }

        var phases = traffic
            .GroupBy(t => t.Phase)
            .OrderBy(g => g.Key)
            .Select(g => new CollectivePhaseTotal(
                g.Key,
                g.Sum(t => t.BytesSent),
                g.Sum(t => t.BytesReceived),
                g.Sum(t => t.MessagesSent),
                TimeSpan.FromTicks(g.Sum(t => t.ReceiveWait.Ticks)),
                g.Sum(t => LinkMilliseconds(link, t.BytesSent, t.MessagesSent))))
            .ToList();
        return new ParallelReport(plan, link, deviceLayers, layerReports, phases);
    }

    /// <summary>
    /// 1 − <paramref name="exposedWithOverlap"/> / <paramref name="exposedWithoutOverlap"/>: the share of the plan's
    /// communication time that overlap hid. Null when the plan without overlap exposed nothing (nothing to hide).
    /// </summary>
    public static double? HiddenShare(double exposedWithOverlap, double exposedWithoutOverlap) =>
        exposedWithoutOverlap > 0 ? 1 - (exposedWithOverlap / exposedWithoutOverlap) : null;

    /// <summary><see cref="HiddenShare(double, double)"/> of this request against <paramref name="withoutOverlap"/>, the same plan run without overlap.</summary>
    /// <exception cref="ArgumentException">The two plans differ in more than <see cref="ParallelPlan.Overlap"/> (shares, tiles, link precision, exchange).</exception>
    public double? HiddenShare(ParallelReport withoutOverlap)
    {
        ArgumentNullException.ThrowIfNull(withoutOverlap);
        var a = Plan;
        var b = withoutOverlap.Plan;
        if (a.Mode != b.Mode || a.TileRows != b.TileRows || a.Precision != b.Precision || a.Exchange != b.Exchange || !a.Shares.SequenceEqual(b.Shares) || b.Overlap)
        {
            throw new ArgumentException($"The reference must be the same plan without overlap; got {Describe(b)} against {Describe(a)}.", nameof(withoutOverlap));
        }

        return HiddenShare(ExposedCommunicationMilliseconds, withoutOverlap.ExposedCommunicationMilliseconds);
    }

    /// <summary>
    /// Time <paramref name="messages"/> messages of <paramref name="bytes"/> bytes in total occupy a link: the sum of
    /// <see cref="LinkModel.TransmissionTime"/> over the messages, which is linear, so only the totals matter.
    /// </summary>
    public static double LinkMilliseconds(LinkModel? link, long bytes, long messages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfNegative(messages);
        if (link is null || messages == 0)
        {
            return 0;
        }

        return (link.TransmissionSeconds(bytes) + ((messages - 1) * link.LatencyPerMessage.TotalSeconds)) * 1000;
    }

    private static string Describe(ParallelPlan plan) =>
        $"{plan.Mode} over {plan.Devices} devices, overlap {plan.Overlap}, tiles of {plan.TileRows} rows, {LinkPrecisionNames.Of(plan.Precision)} links, {plan.Exchange} exchange";
}
