namespace Galaxy.Kernels.Parallel;

/// <summary>One collective phase summed over every device and layer of a request.</summary>
/// <param name="Phase">The collective.</param>
/// <param name="BytesSent">Payload bytes sent, all devices and layers.</param>
/// <param name="BytesReceived">Payload bytes received, all devices and layers.</param>
/// <param name="MessagesSent">Tiles sent.</param>
/// <param name="ReceiveWait">Time receives waited for tiles, summed over devices (so it can exceed the request's wall time).</param>
/// <param name="ModelledLinkMilliseconds">Link occupancy of those messages under the link model, summed over the links (0 without one).</param>
public sealed record CollectivePhaseTotal(
    CollectivePhase Phase,
    long BytesSent,
    long BytesReceived,
    long MessagesSent,
    TimeSpan ReceiveWait,
    double ModelledLinkMilliseconds);
