namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// The rows of one transport run, where the two ends ran, how long it all took, and how long some task
/// of the machine waited for a CPU meanwhile (Linux <c>/proc/pressure/cpu</c>; null elsewhere).
/// </summary>
public sealed record TransportOutcome(IReadOnlyList<TransportRow> Rows, string SenderSilo, string ReceiverSilo, TimeSpan Elapsed, TimeSpan? CpuStalled);
