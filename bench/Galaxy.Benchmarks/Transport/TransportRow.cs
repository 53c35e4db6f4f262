namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// One path at one payload size: send-to-arrival latency of isolated payloads (p50, p99; null when none
/// arrived), burst throughput in MB/s (10⁶ bytes), payloads delivered of those sent (latency samples and
/// burst together), and what went wrong, if anything.
/// </summary>
public sealed record TransportRow(
    TransportPath Path,
    int Bytes,
    double? P50Milliseconds,
    double? P99Milliseconds,
    double? MegabytesPerSecond,
    int Delivered,
    int Sent,
    string Note);
