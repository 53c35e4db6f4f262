namespace Galaxy.Benchmarks.Transport;

/// <summary>The rows of one transport run, where the two ends ran, and how long it all took.</summary>
public sealed record TransportOutcome(IReadOnlyList<TransportRow> Rows, string SenderSilo, string ReceiverSilo, TimeSpan Elapsed);
