namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// One way of moving a tile from the sender (silo A) to the receiver (silo B): its JSON name, a label,
/// how many calls it keeps in flight, and how the driver starts a burst on it.
/// </summary>
public sealed class TransportPath(string name, string label, int window, Func<TransportEnds, TransportBurst, Task> send)
{
    public string Name { get; } = name;

    public string Label { get; } = label;

    public int Window { get; } = window;

    /// <summary>Paths whose events are polled (≈100 ms each): fewer latency samples, a smaller burst.</summary>
    public bool IsPolled => Name == "memory-stream";

    public Task SendAsync(TransportEnds ends, TransportBurst burst)
    {
        ArgumentNullException.ThrowIfNull(ends);
        return send(ends, burst);
    }

    /// <summary>
    /// The five data paths of the benchmark, in table order. Memory streams go last: once an oversized event
    /// is stuck in their queue, the pulling agent keeps re-reading it in the background and would slow
    /// whatever is measured after it.
    /// </summary>
    public static IReadOnlyList<TransportPath> All { get; } =
    [
        new("call-tile-w1", "call, tile codec, 1 in flight", 1, (e, b) => e.Sender.SendTilesAsync(e.ReceiverKey, b)),
        new("call-tile-w4", "call, tile codec, 4 in flight", 4, (e, b) => e.Sender.SendTilesAsync(e.ReceiverKey, b)),
        new("call-float-w1", "call, float[], 1 in flight", 1, (e, b) => e.Sender.SendFloatsAsync(e.ReceiverKey, b)),
        new("call-float-w4", "call, float[], 4 in flight", 4, (e, b) => e.Sender.SendFloatsAsync(e.ReceiverKey, b)),
        new("async-enumerable", "IAsyncEnumerable<tile> (receiver pulls)", 1, (e, b) => e.Receiver.PullAsync(e.SenderKey, b)),
        new("broadcast-channel", "BroadcastChannel", 1, (e, b) => e.Sender.PublishToBroadcastAsync(e.ReceiverKey, b)),
        new("memory-stream", "memory stream (AddMemoryStreams)", 1, (e, b) => e.Sender.PublishToStreamAsync(b)),
    ];
}
