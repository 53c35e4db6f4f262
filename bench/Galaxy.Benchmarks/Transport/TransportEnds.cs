namespace Galaxy.Benchmarks.Transport;

/// <summary>The sender on silo A and the receiver on silo B, with their keys.</summary>
public sealed record TransportEnds(string SenderKey, ITransportSenderGrain Sender, string ReceiverKey, ITransportReceiverGrain Receiver);
