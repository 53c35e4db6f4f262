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
/// <para>Bytes (rank r, S = Σ chunkRows, w = width; B(R) = <see cref="TileCodec.EncodedBytes"/>(precision, R, w)):
/// AllGather sends <c>(N − 1)·B(chunkRows[r])</c> and receives <c>B(S − chunkRows[r])</c> bytes;
/// ReduceScatter sends <c>B(S − chunkRows[r])</c> and receives <c>(N − 1)·B(chunkRows[r])</c> bytes;
/// AllReduce is the sum of the two.</para>
/// <para>Precision: as for <see cref="Ring"/>; each partial is encoded once by its producer and decoded by the chunk's
/// owner, which adds in fp32; an AllGather's owner encodes its chunk once and keeps the decoded values too.</para>
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
    /// <inheritdoc cref="Ring.AllGatherAsync(ICollective, TileKey, int[], int, Memory{float}, Func{int, int, int, ValueTask}?, int, bool, LinkPrecision, CancellationToken)" path="/param"/>
    public static Task AllGatherAsync(
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Memory<float> gathered,
        Func<int, int, int, ValueTask>? onRowsReady,
        int tileRows,
        bool overlap,
        LinkPrecision precision = LinkPrecision.Fp32,
        CancellationToken cancellationToken = default)
    {
        var layout = RingLayout.Create(collective, chunkRows, width, tileRows, precision);
        layout.CheckBuffer(gathered.Length, layout.TotalRows, "the whole sequence", nameof(gathered));
        return AllGatherCoreAsync(collective, layout, key, 0, gathered, onRowsReady, overlap, cancellationToken);
    }

    /// <summary>
    /// ReduceScatter: rank r produces its partial of chunk r+1, r+2, … (each tile sent to the chunk's owner as soon
    /// as it is produced), then of its own chunk, and adds the other ranks' partials of its chunk as they arrive.
    /// </summary>
    /// <inheritdoc cref="Ring.ReduceScatterAsync(ICollective, TileKey, int[], int, Func{int, int, int, Memory{float}, ValueTask}, Memory{float}, int, bool, LinkPrecision, CancellationToken)" path="/param"/>
    public static Task ReduceScatterAsync(
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Func<int, int, int, Memory<float>, ValueTask> producePartial,
        Memory<float> reduced,
        int tileRows,
        bool overlap,
        LinkPrecision precision = LinkPrecision.Fp32,
        CancellationToken cancellationToken = default)
    {
        var layout = RingLayout.Create(collective, chunkRows, width, tileRows, precision);
        ArgumentNullException.ThrowIfNull(producePartial);
        layout.CheckBuffer(reduced.Length, layout.RowsOf(layout.Rank), $"rank {layout.Rank}'s chunk", nameof(reduced));
        return overlap
            ? ReduceScatterCoreAsync(collective, layout, key, 0, producePartial, Memory<float>.Empty, reduced, cancellationToken)
            : ReduceScatterAfterPartialsAsync(collective, layout, key, producePartial, reduced, cancellationToken);
    }

    /// <summary>AllReduce: the direct ReduceScatter (step 0 of <paramref name="key"/>), then the direct AllGather (step 1).</summary>
    /// <inheritdoc cref="Ring.AllReduceAsync(ICollective, TileKey, int[], int, Memory{float}, int, LinkPrecision, CancellationToken)" path="/param"/>
    public static Task AllReduceAsync(
        ICollective collective,
        TileKey key,
        int[] chunkRows,
        int width,
        Memory<float> data,
        int tileRows,
        LinkPrecision precision = LinkPrecision.Fp32,
        CancellationToken cancellationToken = default)
    {
        var layout = RingLayout.Create(collective, chunkRows, width, tileRows, precision);
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
        using var wire = new GatherWire(layout, gathered);
        await CollectiveDriver.GatherAsync(
            layout,
            (ready, token) => ExchangeChunksAsync(collective, layout, key, step, gathered, wire, ready, token),
            onRowsReady,
            overlap,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The communication of AllGather: own tiles out to every peer, every peer's tiles in, each reported to <paramref name="ready"/> once in place.</summary>
    private static async Task ExchangeChunksAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        int step,
        Memory<float> gathered,
        GatherWire wire,
        ChannelWriter<RowRange>? ready,
        CancellationToken cancellationToken)
    {
        var sends = new SendWindow(SendWindow.DefaultSlots, floatsPerBuffer: 0);
        var inbox = layout.RawWire || layout.Size == 1 ? null : ArrayPool<byte>.Shared.Rent(layout.TileWireBytes);
        try
        {
            var n = layout.Size;
            var own = layout.Rank;
            for (var t = 0; t < layout.TileCount(own); t++)
            {
                var tile = wire.OwnTile(t);
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
                    if (inbox is null)
                    {
                        await collective.ReceiveAsync(source, key.At(step, t), wire.InPlace(rows), cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        var encoded = inbox.AsMemory(0, layout.WireBytes(rows.RowCount));
                        await collective.ReceiveAsync(source, key.At(step, t), encoded, cancellationToken).ConfigureAwait(false);
                        layout.Decode(encoded.Span, layout.Slice(gathered, rows).Span);
                    }

                    ready?.TryWrite(rows);
                }
            }

            await sends.DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            await sends.DisposeAsync().ConfigureAwait(false);
            if (inbox is not null)
            {
                ArrayPool<byte>.Shared.Return(inbox);
            }

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
        await CollectiveDriver.ReduceAfterPartialsAsync(
            layout,
            producePartial,
            partials => ReduceScatterCoreAsync(collective, layout, key, 0, producePartial: null, partials, reduced, cancellationToken)).ConfigureAwait(false);
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
        var raw = layout.RawWire;
        using var inbox = n > 1 ? new ReceiveBuffer(layout) : null;
        var partialBytes = raw && producePartial is null && n > 1 ? FloatBytes.Of(partials) : Memory<byte>.Empty;
        var scratch = !raw && producePartial is not null && n > 1 ? ArrayPool<float>.Shared.Rent(layout.TileFloats) : null;
        var sends = new SendWindow(SendWindow.DefaultSlots, raw && producePartial is not null ? layout.TileFloats : 0, raw ? 0 : layout.TileWireBytes);
        try
        {
            for (var offset = 1; offset < n; offset++)
            {
                var chunk = layout.ChunkAt(offset);
                for (var t = 0; t < layout.TileCount(chunk); t++)
                {
                    var rows = layout.Tile(chunk, t);
                    var floats = rows.RowCount * layout.Width;
                    await sends.WaitForSlotAsync().ConfigureAwait(false);
                    Memory<float> partial;
                    if (producePartial is not null)
                    {
                        partial = raw ? sends.SlotBuffer(floats) : scratch.AsMemory(0, floats);
                        await producePartial(chunk, rows.RowStart, rows.RowCount, partial).ConfigureAwait(false);
                    }
                    else
                    {
                        partial = layout.Slice(partials, rows);
                    }

                    Memory<byte> wire;
                    if (raw)
                    {
                        wire = producePartial is not null ? sends.SlotBufferBytes(floats) : layout.SliceBytes(partialBytes, rows);
                    }
                    else
                    {
                        wire = sends.SlotWire(layout.WireBytes(rows.RowCount));
                        layout.Encode(partial.Span, wire.Span);
                    }

                    sends.Post(collective.SendAsync(chunk, key.At(step, t), wire, cancellationToken));
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
                    var incoming = await inbox!.ReceiveAsync(collective, layout.ChunkAt(-offset), key.At(step, t), rows.RowCount, cancellationToken).ConfigureAwait(false);
                    TensorPrimitives.Add(target.Span, incoming.Span, target.Span);
                }
            }

            await sends.DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            await sends.DisposeAsync().ConfigureAwait(false);
            if (scratch is not null)
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }
}
