using Orleans.Concurrency;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// The receiving end of the transport benchmark: notes every payload's arrival in <see cref="DeliveryLog"/>.
/// Key: <c>"{silo name}/{n}"</c>, placed on that silo.
/// </summary>
public interface ITransportReceiverGrain : IGrainWithStringKey
{
    Task<string> WhereAsync();

    /// <summary>Receives while other calls run, as a shard grain's tile inbox must (DESIGN.md §6).</summary>
    [AlwaysInterleave]
    Task DeliverTileAsync(TransportTile tile);

    [AlwaysInterleave]
    Task DeliverFloatsAsync(int runId, int sequence, long sentTimestamp, float[] values);

    /// <summary>Path 3: enumerates the sender's <see cref="ITransportSenderGrain.ProduceAsync"/> to the end.</summary>
    Task PullAsync(string senderKey, TransportBurst burst);

    /// <summary>Path 4: subscribes to the benchmark's memory stream (once per activation).</summary>
    Task SubscribeToStreamAsync();
}
