using System.Buffers;
using System.Numerics.Tensors;
using System.Threading.Channels;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Direct-exchange collectives: every rank sends each chunk straight to the rank that needs it, so a collective
/// is one step of concurrent messages instead of N − 1 ring steps. Same signatures, chunk and tile rules and
/// callbacks as <see cref="Ring"/>; the bytes each rank sends are the same as the ring's, so on a switched network
/// (every device's link to the switch carries only its own traffic) the direct exchange moves as much data and
/// pays the per-message latency once per collective instead of N − 1 times. Worth it where the fixed cost of a
/// hop dominates (small layers, many devices on a LAN); the ring stays the default.
/// </summary>
/// <remarks>
/// <para>Keys: every tile t of a collective is <c>key.At(firstStep, t)</c>; the receive names its source, so the
/// N − 1 tiles with the same key from different ranks never mix.</para>
/// <para>Bytes (floats × 4; rank r, S = Σ chunkRows, w = width):
/// AllGather sends <c>(N − 1)·chunkRows[r]·w</c> and receives <c>(S − chunkRows[r])·w</c> floats;
/// ReduceScatter sends <c>(S − chunkRows[r])·w</c> and receives <c>(N − 1)·chunkRows[r]·w</c> floats;
/// AllReduce is the sum of the two.</para>
/// <para>Sums: rank r's chunk is <c>((p[r] + p[r−1]) + p[r−2]) + …</c> (ranks mod N) whatever order tiles arrive
/// in, with or without overlap.</para>
/// </remarks>
public static class Direct
{
    /// <summary>
    /// AllGather: rank r sends its chunk to every other rank (r+1, r+2, … in that order) and receives every other
    /// chunk from its owner. With <paramref name="overlap"/> the own chunk's tiles go to <paramref name="onRowsReady"/>
    /// first, then the received tiles as they land, in the order r−1, r−2, … .
    /// </summary>
    /// <inheritdoc cref="Ring.AllGatherAsync" path="/param"/>
    public static Task AllGatherAsync(
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Memory<float> gathered,
        Func<int, int, int, ValueTask>? onRowsReady,
        int tileRows,
        bool overlap,
        CancellationToken cancellationToken = default)
    {
        var layout = RingLayout.Create(collective, chunkRows, width, tileRows);
        layout.CheckBuffer(gathered.Length, layout.TotalRows, "the whole sequence", nameof(gathered));
        return AllGatherCoreAsync(collective, layout, key, 0, gathered, onRowsReady, overlap, cancellationToken);
    }

    /// <summary>
    /// ReduceScatter: rank r produces its partial of chunk r+1, r+2, … (each tile sent to the chunk's owner as soon
    /// as it is produced), then of its own chunk, and adds the other ranks' partials of its chunk as they arrive.
    /// </summary>
    /// <inheritdoc cref="Ring.ReduceScatterAsync" path="/param"/>
    public static Task ReduceScatterAsync(
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Func<int, int, int, Memory<float>, ValueTask> producePartial,
        Memory<float> reduced,
        int tileRows,
        bool overlap,
        CancellationToken cancellationToken = default)
    {
        var layout = RingLayout.Create(collective, chunkRows, width, tileRows);
        ArgumentNullException.ThrowIfNull(producePartial);
        layout.CheckBuffer(reduced.Length, layout.RowsOf(layout.Rank), $"rank {layout.Rank}'s chunk", nameof(reduced));
        return overlap
            ? ReduceScatterCoreAsync(collective, layout, key, 0, producePartial, Memory<float>.Empty, reduced, cancellationToken)
            : ReduceScatterAfterPartialsAsync(collective, layout, key, producePartial, reduced, cancellationToken);
    }

    /// <summary>AllReduce: the direct ReduceScatter (step 0 of <paramref name="key"/>), then the direct AllGather (step 1).</summary>
    /// <inheritdoc cref="Ring.AllReduceAsync" path="/param"/>
    public static Task AllReduceAsync(
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Memory<float> data,
        int tileRows,
        CancellationToken cancellationToken = default)
    {
        var layout = RingLayout.Create(collective, chunkRows, width, tileRows);
        layout.CheckBuffer(data.Length, layout.TotalRows, "the whole sequence", nameof(data));
        return AllReduceCoreAsync(collective, layout, key, data, cancellationToken);
    }

    private static async Task AllReduceCoreAsync(ICollective collective, RingLayout layout, TileKey key, Memory<float> data, CancellationToken cancellationToken)
    {
        var own = layout.Slice(data, new RowRange(layout.Rank, layout.RowStartOf(layout.Rank), layout.RowsOf(layout.Rank)));
        await ReduceScatterCoreAsync(collective, layout, key, 0, producePartial: null, partials: data, own, cancellationToken).ConfigureAwait(false);
        await AllGatherCoreAsync(collective, layout, key, 1, data, onRowsReady: null, overlap: false, cancellationToken).ConfigureAwait(false);
    }

    private static async Task AllGatherCoreAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        int step,
        Memory<float> gathered,
        Func<int, int, int, ValueTask>? onRowsReady,
        bool overlap,
        CancellationToken cancellationToken)
    {
        if (!overlap || onRowsReady is null || layout.Size == 1)
        {
            await ExchangeChunksAsync(collective, layout, key, step, gathered, ready: null, cancellationToken).ConfigureAwait(false);
            if (onRowsReady is not null)
            {
                for (var chunk = 0; chunk < layout.Size; chunk++)
                {
                    for (var t = 0; t < layout.TileCount(chunk); t++)
                    {
                        var rows = layout.Tile(chunk, t);
                        await onRowsReady(chunk, rows.RowStart, rows.RowCount).ConfigureAwait(false);
                    }
                }
            }

            return;
        }

        // The exchange runs on its own task so sends and receives never wait for the caller's compute.
        var ready = Channel.CreateUnbounded<RowRange>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var exchange = Task.Run(() => ExchangeChunksAsync(collective, layout, key, step, gathered, ready.Writer, stopping.Token), CancellationToken.None);
        try
        {
            var own = layout.Rank;
            for (var t = 0; t < layout.TileCount(own); t++)
            {
                var rows = layout.Tile(own, t);
                await onRowsReady(own, rows.RowStart, rows.RowCount).ConfigureAwait(false);
            }

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
            await stopping.CancelAsync().ConfigureAwait(false);
            await exchange.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        await exchange.ConfigureAwait(false);
    }

    /// <summary>The communication of AllGather: own tiles out to every peer, every peer's tiles in, each reported to <paramref name="ready"/> once in place.</summary>
    private static async Task ExchangeChunksAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        int step,
        Memory<float> gathered,
        ChannelWriter<RowRange>? ready,
        CancellationToken cancellationToken)
    {
        var sends = new SendWindow(SendWindow.DefaultSlots, floatsPerBuffer: 0);
        try
        {
            var n = layout.Size;
            var own = layout.Rank;
            for (var t = 0; t < layout.TileCount(own); t++)
            {
                var tile = layout.Slice(gathered, layout.Tile(own, t));
                for (var offset = 1; offset < n; offset++)
                {
                    await sends.WaitForSlotAsync().ConfigureAwait(false);
                    sends.Post(collective.SendAsync(layout.ChunkAt(offset), key.At(step, t), tile, cancellationToken));
                }
            }

            for (var offset = 1; offset < n; offset++)
            {
                var source = layout.ChunkAt(-offset);
                for (var t = 0; t < layout.TileCount(source); t++)
                {
                    var rows = layout.Tile(source, t);
                    await collective.ReceiveAsync(source, key.At(step, t), layout.Slice(gathered, rows), cancellationToken).ConfigureAwait(false);
                    ready?.TryWrite(rows);
                }
            }

            await sends.DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            await sends.DisposeAsync().ConfigureAwait(false);
            ready?.TryComplete();
        }
    }

    private static async Task ReduceScatterAfterPartialsAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        Func<int, int, int, Memory<float>, ValueTask> producePartial,
        Memory<float> reduced,
        CancellationToken cancellationToken)
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

            await ReduceScatterCoreAsync(collective, layout, key, 0, producePartial: null, partials, reduced, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The exchange of ReduceScatter. Partials come from <paramref name="producePartial"/> tile by tile (overlap),
    /// or, when it is null, from <paramref name="partials"/> (S × width).
    /// </summary>
    private static async Task ReduceScatterCoreAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        int step,
        Func<int, int, int, Memory<float>, ValueTask>? producePartial,
        Memory<float> partials,
        Memory<float> reduced,
        CancellationToken cancellationToken)
    {
        var n = layout.Size;
        var own = layout.Rank;
        var inbox = n > 1 ? ArrayPool<float>.Shared.Rent(layout.TileFloats) : null;
        var sends = new SendWindow(SendWindow.DefaultSlots, producePartial is null ? 0 : layout.TileFloats);
        try
        {
            for (var offset = 1; offset < n; offset++)
            {
                var chunk = layout.ChunkAt(offset);
                for (var t = 0; t < layout.TileCount(chunk); t++)
                {
                    var rows = layout.Tile(chunk, t);
                    await sends.WaitForSlotAsync().ConfigureAwait(false);
                    Memory<float> partial;
                    if (producePartial is not null)
                    {
                        partial = sends.SlotBuffer(rows.RowCount * layout.Width);
                        await producePartial(chunk, rows.RowStart, rows.RowCount, partial).ConfigureAwait(false);
                    }
                    else
                    {
                        partial = layout.Slice(partials, rows);
                    }

                    sends.Post(collective.SendAsync(chunk, key.At(step, t), partial, cancellationToken));
                }
            }

            for (var t = 0; t < layout.TileCount(own); t++)
            {
                var rows = layout.Tile(own, t);
                var target = layout.SliceOfChunk(reduced, rows);
                if (producePartial is not null)
                {
                    await producePartial(own, rows.RowStart, rows.RowCount, target).ConfigureAwait(false);
                }
                else
                {
                    layout.Slice(partials, rows).Span.CopyTo(target.Span);
                }

                for (var offset = 1; offset < n; offset++)
                {
                    var incoming = inbox.AsMemory(0, target.Length);
                    await collective.ReceiveAsync(layout.ChunkAt(-offset), key.At(step, t), incoming, cancellationToken).ConfigureAwait(false);
                    TensorPrimitives.Add(target.Span, incoming.Span, target.Span);
                }
            }

            await sends.DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            await sends.DisposeAsync().ConfigureAwait(false);
            if (inbox is not null)
            {
                ArrayPool<float>.Shared.Return(inbox);
            }
        }
    }
}
