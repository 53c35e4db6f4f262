namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// The sending end of the transport benchmark, placed on the silo its key names.
/// Key: <c>"{silo name}/{n}"</c> (see <see cref="TransportDevicePlacementDirector"/>).
/// </summary>
public interface ITransportSenderGrain : IGrainWithStringKey
{
    /// <summary>The name of the silo this activation runs on.</summary>
    Task<string> WhereAsync();

    /// <summary>Path 1: direct calls carrying <see cref="TransportTile"/> (bulk codec), a window of calls in flight.</summary>
    Task SendTilesAsync(string receiverKey, TransportBurst burst);

    /// <summary>Path 2: direct calls carrying a bare <c>float[]</c> (Orleans' element-by-element codec).</summary>
    Task SendFloatsAsync(string receiverKey, TransportBurst burst);

    /// <summary>Path 3: the receiver enumerates this; each tile is stamped when it is yielded.</summary>
    IAsyncEnumerable<TransportTile> ProduceAsync(TransportBurst burst);

    /// <summary>Path 4: one <c>OnNextAsync</c> per tile on the memory stream the receiver subscribed to.</summary>
    Task PublishToStreamAsync(TransportBurst burst);

    /// <summary>Path 5: one <c>Publish</c> per tile on the broadcast channel whose key is the receiver's key.</summary>
    Task PublishToBroadcastAsync(string receiverKey, TransportBurst burst);
}
