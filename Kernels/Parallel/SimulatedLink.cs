using System.Diagnostics;
using System.Threading.Channels;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// One directed link of an <see cref="InProcessCollective"/> under a <see cref="LinkModel"/>: a pump task
/// takes the link's messages in send order and delivers each when the model says it has arrived.
/// </summary>
/// <remarks>
/// Timing is a virtual clock in <see cref="Stopwatch"/> ticks: a message starts when it was sent or when the
/// previous one left the link, whichever is later, occupies the link for <c>bytes / bandwidth</c>, and arrives
/// <c>latency</c> after that (the next message may be on the link meanwhile: latency is propagation, as the
/// testbed's delay, not occupancy). The pump then waits until the arrival. Arrivals keep send order. Because the next start is taken from the modelled finish,
/// not from when the pump woke up, timer lateness never accumulates along a link, and a message is never
/// delivered before its modelled time (the model is a lower bound). The wait sleeps with
/// <see cref="Task.Delay(TimeSpan, CancellationToken)"/> (about 1 ms granularity) in whole milliseconds while
/// at least <see cref="SpinThreshold"/> remains, then yields in a loop on the clock, so sub-millisecond
/// messages are not rounded up to a timer tick and a pump never spins for more than about 2 ms.
/// </remarks>
internal sealed class SimulatedLink
{
    private static readonly TimeSpan SpinThreshold = TimeSpan.FromMilliseconds(2);

    private readonly Channel<InFlight> _queue = Channel.CreateUnbounded<InFlight>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    private readonly LinkModel _model;
    private readonly TileMailbox _destination;
    private readonly int _source;

    public SimulatedLink(LinkModel model, int source, TileMailbox destination, CancellationToken stopping)
    {
        _model = model;
        _source = source;
        _destination = destination;
        Pump = Task.Run(() => PumpAsync(stopping), CancellationToken.None);
    }

    /// <summary>Completes once the link stopped and returned every message it still held to the pool.</summary>
    public Task Pump { get; }

    /// <summary>Queues a tile; it is delivered when the link has carried it.</summary>
    public void Enqueue(TileKey key, PooledTile tile)
    {
        if (!_queue.Writer.TryWrite(new InFlight(key, tile, Stopwatch.GetTimestamp())))
        {
            tile.Return();
            throw new ObjectDisposedException(nameof(InProcessCollective), "The link was shut down.");
        }
    }

    /// <summary>Stops accepting messages; the pump drains and exits once its stopping token fires.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private static async Task WaitUntilAsync(long deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            if (remaining >= SpinThreshold)
            {
                // Whole milliseconds, at least one, ending about a millisecond early: the timer wakes late, not early.
                var sleep = TimeSpan.FromMilliseconds(Math.Floor(remaining.TotalMilliseconds) - 1);
                await Task.Delay(sleep, cancellationToken).ConfigureAwait(false);
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            Thread.Yield();
        }
    }

    private async Task PumpAsync(CancellationToken stopping)
    {
        long freeAt = 0;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var message))
                {
                    try
                    {
                        // The link is busy while the bytes go out; the latency runs after that, while the next
                        // message may already be on the wire (propagation, as the testbed's delay).
                        var start = Math.Max(message.SentTimestamp, freeAt);
                        freeAt = start + (long)Math.Ceiling(message.Tile.Length / _model.BytesPerSecond * Stopwatch.Frequency);
                        var arrival = freeAt + (long)Math.Ceiling(_model.LatencyPerMessage.TotalSeconds * Stopwatch.Frequency);
                        await WaitUntilAsync(arrival, stopping).ConfigureAwait(false);
                    }
                    catch
                    {
                        message.Tile.Return();
                        throw;
                    }

                    try
                    {
                        _destination.Deposit(_source, message.Key, message.Tile);
                    }
                    catch (InvalidOperationException)
                    {
                        // A duplicate key: the mailbox has failed its receives with the reason; keep the link draining.
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            while (_queue.Reader.TryRead(out var message))
            {
                message.Tile.Return();
            }
        }
    }

    private readonly record struct InFlight(TileKey Key, PooledTile Tile, long SentTimestamp);
}
