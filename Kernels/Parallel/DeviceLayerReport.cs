namespace Galaxy.Kernels.Parallel;

/// <summary>
/// One device in one layer of one request: its arithmetic time, its wall time, and what it moved in each
/// collective of the layer.
/// </summary>
/// <param name="Device">The device (ring rank).</param>
/// <param name="Layer">The layer.</param>
/// <param name="ComputeMilliseconds">Time on the kernel threads (<see cref="LayerTiming.ComputeMilliseconds"/>).</param>
/// <param name="WallMilliseconds">Layer start to layer end on this device (<see cref="LayerTiming.WallMilliseconds"/>).</param>
/// <param name="Collectives">This device's traffic in this layer, one entry per collective phase that moved anything.</param>
/// <param name="ModelledLinkMilliseconds">
/// Time this device's sends occupy its outgoing link under the link model: the sum of
/// <see cref="LinkModel.TransmissionTime"/> over its messages, <c>messages·latency + bytes / bandwidth</c>;
/// 0 without a link model.
/// </param>
public sealed record DeviceLayerReport(
    int Device,
    int Layer,
    double ComputeMilliseconds,
    double WallMilliseconds,
    IReadOnlyList<CollectiveTraffic> Collectives,
    double ModelledLinkMilliseconds)
{
    /// <summary>Wall time not spent computing: waiting for tiles, ring bookkeeping, allocation. Never negative.</summary>
    public double NonComputeMilliseconds => Math.Max(0, WallMilliseconds - ComputeMilliseconds);

    /// <summary>Payload bytes sent in this layer, all phases.</summary>
    public long BytesSent => Collectives.Sum(c => c.BytesSent);

    /// <summary>Payload bytes received in this layer, all phases.</summary>
    public long BytesReceived => Collectives.Sum(c => c.BytesReceived);

    /// <summary>Tiles sent in this layer, all phases.</summary>
    public long MessagesSent => Collectives.Sum(c => c.MessagesSent);

    /// <summary>
    /// Time this device's receives waited for tiles, all phases. Under overlap an AllGather receives on its own
    /// task while the device computes, so this includes hidden waits; a ReduceScatter's wait is exposed
    /// (see <see cref="CollectiveTraffic"/>). Use <see cref="NonComputeMilliseconds"/> for what the layer lost.
    /// </summary>
    public double ReceiveWaitMilliseconds => Collectives.Sum(c => c.ReceiveWait.TotalMilliseconds);
}
