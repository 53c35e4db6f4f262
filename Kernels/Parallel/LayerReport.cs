namespace Galaxy.Kernels.Parallel;

/// <summary>
/// One layer of one request across all devices. Its time is the longest wall time of any device (the next
/// layer, and the request, wait for it); its critical device is the one with the most compute, the device
/// that would still bound the layer if communication were free.
/// </summary>
/// <remarks>
/// The devices of a ring synchronise at every collective, so their wall times differ by little and the one
/// with the longest is close to arbitrary; the device with the most compute is not. Taking it means a device
/// that waits for a slower peer's arithmetic does not count that wait as communication.
/// </remarks>
/// <param name="Layer">The layer.</param>
/// <param name="CriticalDevice">The device with the most compute time in this layer (the lowest rank on a tie).</param>
/// <param name="WallMilliseconds">The longest wall time of any device in this layer: the layer's time.</param>
/// <param name="ComputeMilliseconds">The critical device's compute time (the most of any device).</param>
/// <param name="BytesSentPerDevice">The most payload bytes any one device sent in this layer.</param>
/// <param name="ModelledLinkMilliseconds">
/// The link-bound floor: the longest time any one device's outgoing link is busy in this layer under the link
/// model (each directed link carries one message at a time, so no schedule finishes the layer's
/// communication sooner); 0 without a link model.
/// </param>
public sealed record LayerReport(
    int Layer,
    int CriticalDevice,
    double WallMilliseconds,
    double ComputeMilliseconds,
    long BytesSentPerDevice,
    double ModelledLinkMilliseconds)
{
    /// <summary>
    /// Exposed communication: the layer's time minus the critical device's compute time, i.e. the part of the
    /// layer that even the busiest device's arithmetic did not cover (waiting for tiles, plus the ring's and the
    /// executor's own overhead). Never negative, since no device computes for longer than its own wall time.
    /// </summary>
    public double ExposedCommunicationMilliseconds => Math.Max(0, WallMilliseconds - ComputeMilliseconds);
}
