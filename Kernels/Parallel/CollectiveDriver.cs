using System.Buffers;
using System.Threading.Channels;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// What <see cref="Ring"/> and <see cref="Direct"/> share around their communication: feeding an AllGather's
/// rows to the caller's callback while the exchange runs, and producing every partial before a ReduceScatter
/// without overlap.
/// </summary>
internal static class CollectiveDriver
{
    /// <summary>
    /// Runs an AllGather's <paramref name="exchange"/> (which reports each received tile to the writer it is given,
    /// when it is given one, and completes it when it ends) and calls <paramref name="onRowsReady"/> for every tile:
    /// with <paramref name="overlap"/> the own chunk's tiles first, then the received ones as they land, while the
    /// exchange runs on its own task; without, all tiles in row order after the exchange.
    /// </summary>
    public static async Task GatherAsync(
        RingLayout layout,
        Func<ChannelWriter<RowRange>?, CancellationToken, Task> exchange,
        Func<int, int, int, ValueTask>? onRowsReady,
        bool overlap,
        CancellationToken cancellationToken)
    {
        if (!overlap || onRowsReady is null || layout.Size == 1)
        {
            await exchange(null, cancellationToken).ConfigureAwait(false);
            if (onRowsReady is not null)
            {
                for (var chunk = 0; chunk < layout.Size; chunk++)
                {
                    await ForEachTileAsync(layout, chunk, onRowsReady).ConfigureAwait(false);
                }
            }

            return;
        }

        // The exchange runs on its own task so that moving a tile never waits for the caller's compute; the
        // caller's flow takes the tiles from `ready` as they land.
        var ready = Channel.CreateUnbounded<RowRange>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Task.Run(() => exchange(ready.Writer, stopping.Token), CancellationToken.None);
        try
        {
            await ForEachTileAsync(layout, layout.Rank, onRowsReady).ConfigureAwait(false);
            while (await ready.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (ready.Reader.TryRead(out var rows))
                {
                    await onRowsReady(rows.Chunk, rows.RowStart, rows.RowCount).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // The callback failed: stop the exchange and let it finish before the buffer goes back to the caller.
            await stopping.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        // The exchange completes `ready` when it ends, successfully or not; its own exception surfaces here.
        await running.ConfigureAwait(false);
    }

    /// <summary>Produces every partial (all S rows, tile by tile in row order) into a pooled buffer, then runs <paramref name="reduce"/> on it.</summary>
    public static async Task ReduceAfterPartialsAsync(
        RingLayout layout,
        Func<int, int, int, Memory<float>, ValueTask> producePartial,
        Func<Memory<float>, Task> reduce)
    {
        var floats = layout.TotalRows * layout.Width;
        var rented = ArrayPool<float>.Shared.Rent(Math.Max(floats, 1));
        try
        {
            var partials = rented.AsMemory(0, floats);
            for (var chunk = 0; chunk < layout.Size; chunk++)
            {
                for (var t = 0; t < layout.TileCount(chunk); t++)
                {
                    var rows = layout.Tile(chunk, t);
                    await producePartial(chunk, rows.RowStart, rows.RowCount, layout.Slice(partials, rows)).ConfigureAwait(false);
                }
            }

            await reduce(partials).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private static async Task ForEachTileAsync(RingLayout layout, int chunk, Func<int, int, int, ValueTask> onRowsReady)
    {
        for (var t = 0; t < layout.TileCount(chunk); t++)
        {
            var rows = layout.Tile(chunk, t);
            await onRowsReady(chunk, rows.RowStart, rows.RowCount).ConfigureAwait(false);
        }
    }
}
