using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.BroadcastChannel;
using Orleans.Streams;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// Sends one burst per call. Every payload of a size shares one seeded array (<see cref="TransportValues"/>): payloads are immutable
/// once sent, and a cross-silo call serializes them anyway, so reuse hides nothing on these paths.
/// </summary>
[TransportDevicePlacement]
public sealed class TransportSenderGrain(ILocalSiloDetails silo) : Grain, ITransportSenderGrain
{
    public Task<string> WhereAsync() => Task.FromResult(silo.Name);

    public async Task SendTilesAsync(string receiverKey, TransportBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var receiver = GrainFactory.GetGrain<ITransportReceiverGrain>(receiverKey);
        var values = TransportValues.Of(burst.Bytes);
        await SendWindowedAsync(burst, sequence =>
            receiver.DeliverTileAsync(new TransportTile(burst.RunId, sequence, Stopwatch.GetTimestamp(), values)));
    }

    public async Task SendFloatsAsync(string receiverKey, TransportBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var receiver = GrainFactory.GetGrain<ITransportReceiverGrain>(receiverKey);
        var values = TransportValues.Of(burst.Bytes);
        await SendWindowedAsync(burst, sequence =>
            receiver.DeliverFloatsAsync(burst.RunId, sequence, Stopwatch.GetTimestamp(), values));
    }

    public async IAsyncEnumerable<TransportTile> ProduceAsync(TransportBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var values = TransportValues.Of(burst.Bytes);
        for (var i = 0; i < burst.Count; i++)
        {
            // Let the grain method return to the scheduler between items, as a producer waiting for
            // its next tile would; without it the whole burst is one synchronous batch.
            await Task.Yield();
            yield return new TransportTile(burst.RunId, burst.FirstSequence + i, Stopwatch.GetTimestamp(), values);
        }
    }

    public async Task PublishToStreamAsync(TransportBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var stream = this.GetStreamProvider(TransportNames.MemoryStreams).GetStream<TransportTile>(TransportNames.Stream);
        var values = TransportValues.Of(burst.Bytes);
        for (var i = 0; i < burst.Count; i++)
        {
            await stream.OnNextAsync(new TransportTile(burst.RunId, burst.FirstSequence + i, Stopwatch.GetTimestamp(), values));
        }
    }

    public async Task PublishToBroadcastAsync(string receiverKey, TransportBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var provider = ServiceProvider.GetRequiredKeyedService<IBroadcastChannelProvider>(TransportNames.BroadcastChannel);
        var writer = provider.GetChannelWriter<TransportTile>(ChannelId.Create(TransportNames.Namespace, receiverKey));
        var values = TransportValues.Of(burst.Bytes);
        for (var i = 0; i < burst.Count; i++)
        {
            await writer.Publish(new TransportTile(burst.RunId, burst.FirstSequence + i, Stopwatch.GetTimestamp(), values));
        }
    }

    /// <summary>Keeps up to <see cref="TransportBurst.Window"/> calls in flight, in sequence order.</summary>
    private static async Task SendWindowedAsync(TransportBurst burst, Func<int, Task> send)
    {
        var inFlight = new Queue<Task>(burst.Window);
        for (var i = 0; i < burst.Count; i++)
        {
            if (inFlight.Count == burst.Window)
            {
                await inFlight.Dequeue();
            }

            inFlight.Enqueue(send(burst.FirstSequence + i));
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }
    }
}
