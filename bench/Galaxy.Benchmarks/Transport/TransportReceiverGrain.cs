using Orleans.BroadcastChannel;
using Orleans.Streams;

namespace Galaxy.Benchmarks.Transport;

/// <summary>Notes arrivals; subscribes to the memory stream explicitly and to the broadcast channel implicitly.</summary>
[TransportDevicePlacement]
[ImplicitChannelSubscription(TransportNames.Namespace)]
public sealed class TransportReceiverGrain(ILocalSiloDetails silo) : Grain, ITransportReceiverGrain, IOnBroadcastChannelSubscribed
{
    private StreamSubscriptionHandle<TransportTile>? _subscription;

    public Task<string> WhereAsync() => Task.FromResult(silo.Name);

    public Task DeliverTileAsync(TransportTile tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        Note(tile);
        return Task.CompletedTask;
    }

    public Task DeliverFloatsAsync(int runId, int sequence, long sentTimestamp, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        DeliveryLog.Arrived(runId, sequence, sentTimestamp, values);
        return Task.CompletedTask;
    }

    public async Task PullAsync(string senderKey, TransportBurst burst)
    {
        var sender = GrainFactory.GetGrain<ITransportSenderGrain>(senderKey);
        await foreach (var tile in sender.ProduceAsync(burst))
        {
            Note(tile);
        }
    }

    public async Task SubscribeToStreamAsync()
    {
        if (_subscription is not null)
        {
            return;
        }

        var stream = this.GetStreamProvider(TransportNames.MemoryStreams).GetStream<TransportTile>(TransportNames.Stream);
        _subscription = await stream.SubscribeAsync((tile, _) =>
        {
            Note(tile);
            return Task.CompletedTask;
        });
    }

    public Task OnSubscribed(IBroadcastChannelSubscription streamSubscription)
    {
        ArgumentNullException.ThrowIfNull(streamSubscription);
        streamSubscription.Attach<TransportTile>(tile =>
        {
            Note(tile);
            return Task.CompletedTask;
        });
        return Task.CompletedTask;
    }

    private static void Note(TransportTile tile) => DeliveryLog.Arrived(tile.RunId, tile.Sequence, tile.SentTimestamp, tile.Values);
}
