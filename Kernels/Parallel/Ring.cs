using System.Buffers;
using System.Numerics.Tensors;
using System.Threading.Channels;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// Ring collectives over any <see cref="ICollective"/> with uneven chunks, sent as tiles, with compute
/// callbacks so the caller overlaps its GEMM tiles with the ring (DESIGN §4).
/// </summary>
/// <remarks>
/// <para>Shapes: N ranks; chunk j is the <c>chunkRows[j]</c> rows owned by rank j (0 is allowed), starting at
/// row <c>chunkRows[0] + … + chunkRows[j−1]</c> of the S-row sequence; a row is <c>width</c> floats. A chunk
/// travels as tiles of at most <c>tileRows</c> rows (tile t = chunk rows <c>[t·tileRows, …)</c>; the last tile
/// is shorter, never padded; an empty chunk sends nothing). Callbacks always get 1 to <c>tileRows</c> rows, so a
/// caller can size its scratch by <c>tileRows</c>; pass the largest chunk as <c>tileRows</c> for one call per chunk.
/// Row starts given to callbacks are rows of the whole sequence.</para>
/// <para>Keys: the tile t sent at ring step i is <c>key.At(i, t)</c>. Collectives in flight at the same time must
/// differ in <see cref="TileKey.RequestId"/>, <see cref="TileKey.Layer"/> or <see cref="TileKey.Phase"/>.</para>
/// <para>Bytes (rank r, S = Σ chunkRows, w = width; B(R) = <see cref="TileCodec.EncodedBytes"/>(precision, R, w), which
/// is 4·R·w in fp32, 2·R·w in bf16 and R·(w + 4·ceil(w / 32)) in int8):
/// AllGather sends <c>B(S − chunkRows[(r+1) mod N])</c> and receives <c>B(S − chunkRows[r])</c> bytes;
/// ReduceScatter sends <c>B(S − chunkRows[r])</c> and receives <c>B(S − chunkRows[(r−1) mod N])</c> bytes;
/// AllReduce is the sum of the two. Messages: <c>ceil(chunkRows[j] / tileRows)</c> per chunk j moved.</para>
/// <para>Precision (<see cref="LinkPrecision"/>, fp32 unless given): tiles are encoded where they leave a rank and
/// decoded where they arrive; all arithmetic stays fp32. ReduceScatter decodes the running sum it receives, adds
/// its partial in fp32 and encodes the new sum for the next hop. AllGather encodes each chunk once, at its owner,
/// whose own rows become the decoded values too (so every rank holds the same bits), and forwards received tiles
/// as they came. fp32 moves the floats' own bytes, so its results are bit-identical to an unencoded ring.</para>
/// <para>Buffers: a few tile buffers per call from <see cref="ArrayPool{T}.Shared"/> (plus one S × width buffer
/// for ReduceScatter without overlap, and one encoded copy of the own chunk for a lossy AllGather); nothing is
/// allocated per tile. At most four sends are in flight per call; a buffer is reused only after its send completed.</para>
/// </remarks>
public static class Ring
{
    /// <summary>
    /// Ring AllGather: every rank ends with all S rows. At step i (0…N−2) rank r forwards chunk (r−i) mod N to
    /// r+1 and receives chunk (r−i−1) mod N from r−1; each received tile is forwarded as soon as it is in place.
    /// </summary>
    /// <param name="collective">This rank's endpoint.</param>
    /// <param name="key">Names the collective; tiles are <c>key.At(step, tile)</c>.</param>
    /// <param name="chunkRows">Rows per rank (N entries, each ≥ 0).</param>
    /// <param name="width">Floats per row (≥ 1).</param>
    /// <param name="gathered">S × width: in, this rank's chunk in its rows; out, every chunk. Do not write it while the call runs.</param>
    /// <param name="onRowsReady">
    /// <c>(chunk, rowStart, rowCount)</c>, called one at a time for each tile of rows now in
    /// <paramref name="gathered"/>. With <paramref name="overlap"/>: the own chunk's tiles first (while they are
    /// being sent), then each received tile in ring order as soon as it is in place; the ring keeps forwarding on
    /// its own task meanwhile. Without: after all communication, every tile in row order.
    /// </param>
    /// <param name="tileRows">Rows per tile (≥ 1).</param>
    /// <param name="overlap">Whether callbacks run while the ring moves tiles.</param>
    /// <param name="precision">How tiles are encoded on the links; fp32 (the default) moves the floats' own bytes, bit-exact.</param>
    /// <param name="cancellationToken">Cancels the ring; other ranks then wait for tiles that never come.</param>
    /// <returns>Completes when this rank has every row, all its sends completed and all callbacks returned.</returns>
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
    /// Ring ReduceScatter: rank r ends with rows of chunk r summed over all ranks' partials. Rank r produces and
    /// sends chunk (r−1) mod N first; at step i it produces its partial of chunk (r−2−i) mod N, receives that
    /// chunk's running sum from r−1, adds, and sends it on; the last chunk, r, is complete after its add.
    /// Chunk j's sum is <c>((p[j+1] + p[j+2]) + …) + p[j]</c> (ranks mod N), the same bits on every run and
    /// with or without overlap. (DESIGN §4 numbers the same order from the compute side: at step i = 1…N−1
    /// compute chunk (r−1−i) mod N.)
    /// </summary>
    /// <param name="collective">This rank's endpoint.</param>
    /// <param name="key">Names the collective; tiles are <c>key.At(step, tile)</c>.</param>
    /// <param name="chunkRows">Rows per rank (N entries, each ≥ 0).</param>
    /// <param name="width">Floats per row (≥ 1).</param>
    /// <param name="producePartial">
    /// <c>(chunk, rowStart, rowCount, destination)</c>: writes this rank's partial sums of those rows into
    /// <c>destination</c> (rowCount × width), called exactly once per row, one call at a time. With
    /// <paramref name="overlap"/> the calls follow the ring order above, each before the receive of its tile's
    /// running sum and while earlier tiles' sends are in flight; without, all rows in row order before the ring starts.
    /// </param>
    /// <param name="reduced">chunkRows[rank] × width: out, this rank's chunk of the total.</param>
    /// <param name="tileRows">Rows per tile (≥ 1).</param>
    /// <param name="overlap">Whether partials are produced while the ring moves tiles.</param>
    /// <param name="precision">How tiles are encoded on the links; fp32 (the default) moves the floats' own bytes, bit-exact.</param>
    /// <param name="cancellationToken">Cancels the ring; other ranks then wait for tiles that never come.</param>
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
            ? ReduceScatterCoreAsync(collective, layout, key, producePartial, Memory<float>.Empty, reduced, cancellationToken)
            : ReduceScatterAfterPartialsAsync(collective, layout, key, producePartial, reduced, cancellationToken);
    }

    /// <summary>
    /// Ring AllReduce (the Megatron baseline): ReduceScatter over steps 0…N−2, then AllGather over steps
    /// N−1…2N−3 of the same <paramref name="key"/>. Sums are those of <see cref="ReduceScatterAsync(ICollective, TileKey, int[], int, Func{int, int, int, Memory{float}, ValueTask}, Memory{float}, int, bool, LinkPrecision, CancellationToken)"/>, so every
    /// rank ends with the same bits.
    /// </summary>
    /// <param name="collective">This rank's endpoint.</param>
    /// <param name="key">Names the collective; tiles are <c>key.At(step, tile)</c>.</param>
    /// <param name="chunkRows">Rows per rank (N entries, each ≥ 0): how the sum is split around the ring.</param>
    /// <param name="width">Floats per row (≥ 1).</param>
    /// <param name="data">S × width: in, this rank's partial sums; out, the total.</param>
    /// <param name="tileRows">Rows per tile (≥ 1).</param>
    /// <param name="precision">How tiles are encoded on the links; fp32 (the default) moves the floats' own bytes, bit-exact.</param>
    /// <param name="cancellationToken">Cancels the ring.</param>
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
        await ReduceScatterCoreAsync(collective, layout, key, producePartial: null, partials: data, own, cancellationToken).ConfigureAwait(false);
        await AllGatherCoreAsync(collective, layout, key, layout.Size - 1, data, onRowsReady: null, overlap: false, cancellationToken).ConfigureAwait(false);
    }

    private static async Task AllGatherCoreAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        int firstStep,
        Memory<float> gathered,
        Func<int, int, int, ValueTask>? onRowsReady,
        bool overlap,
        CancellationToken cancellationToken)
    {
        using var wire = new GatherWire(layout, gathered);
        await CollectiveDriver.GatherAsync(
            layout,
            (ready, token) => GatherAroundRingAsync(collective, layout, key, firstStep, gathered, wire, ready, token),
            onRowsReady,
            overlap,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The communication of AllGather; reports each received tile to <paramref name="ready"/> once it is in place.</summary>
    private static async Task GatherAroundRingAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        int firstStep,
        Memory<float> gathered,
        GatherWire wire,
        ChannelWriter<RowRange>? ready,
        CancellationToken cancellationToken)
    {
        var sends = new SendWindow(SendWindow.DefaultSlots, floatsPerBuffer: 0, bytesPerBuffer: layout.RawWire ? 0 : layout.TileWireBytes);
        try
        {
            var n = layout.Size;
            if (n > 1)
            {
                var own = layout.Rank;
                for (var t = 0; t < layout.TileCount(own); t++)
                {
                    await sends.WaitForSlotAsync().ConfigureAwait(false);
                    sends.Post(collective.SendAsync(layout.Next, key.At(firstStep, t), wire.OwnTile(t), cancellationToken));
                }
            }

            for (var step = 0; step < n - 1; step++)
            {
                var chunk = layout.ChunkAt(-step - 1);
                var forward = step < n - 2;
                for (var t = 0; t < layout.TileCount(chunk); t++)
                {
                    var rows = layout.Tile(chunk, t);
                    Memory<byte> received;
                    if (layout.RawWire)
                    {
                        received = wire.InPlace(rows);
                        await collective.ReceiveAsync(layout.Previous, key.At(firstStep + step, t), received, cancellationToken).ConfigureAwait(false);
                        if (forward)
                        {
                            await sends.WaitForSlotAsync().ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        // The encoded tile lands in a slot's buffer, is decoded into place and goes on as it came.
                        await sends.WaitForSlotAsync().ConfigureAwait(false);
                        received = sends.SlotWire(layout.WireBytes(rows.RowCount));
                        await collective.ReceiveAsync(layout.Previous, key.At(firstStep + step, t), received, cancellationToken).ConfigureAwait(false);
                        layout.Decode(received.Span, layout.Slice(gathered, rows).Span);
                    }

                    if (forward)
                    {
                        sends.Post(collective.SendAsync(layout.Next, key.At(firstStep + step + 1, t), received, cancellationToken));
                    }

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
        await CollectiveDriver.ReduceAfterPartialsAsync(
            layout,
            producePartial,
            partials => ReduceScatterCoreAsync(collective, layout, key, producePartial: null, partials, reduced, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The ring of ReduceScatter. Partials come from <paramref name="producePartial"/> tile by tile (overlap),
    /// or, when it is null, from <paramref name="partials"/> (S × width, which then also holds running sums).
    /// </summary>
    private static async Task ReduceScatterCoreAsync(
        ICollective collective,
        RingLayout layout,
        TileKey key,
        Func<int, int, int, Memory<float>, ValueTask>? producePartial,
        Memory<float> partials,
        Memory<float> reduced,
        CancellationToken cancellationToken)
    {
        var n = layout.Size;
        var raw = layout.RawWire;
        using var inbox = n > 1 ? new ReceiveBuffer(layout) : null;

        // fp32 sends a partial from where it was computed (a slot's floats, or `partials`); an encoded wire computes
        // into one scratch tile and sends the slot's encoded bytes.
        var partialBytes = raw && producePartial is null && n > 1 ? FloatBytes.Of(partials) : Memory<byte>.Empty;
        var scratch = !raw && producePartial is not null && n > 1 ? ArrayPool<float>.Shared.Rent(layout.TileFloats) : null;
        var sends = new SendWindow(SendWindow.DefaultSlots, raw && producePartial is not null ? layout.TileFloats : 0, raw ? 0 : layout.TileWireBytes);
        try
        {
            // k-th chunk of this rank's order: (r−1−k) mod N. Chunk k's running sum arrives at step k−1 and leaves at step k.
            for (var k = 0; k < n; k++)
            {
                var chunk = layout.ChunkAt(-1 - k);
                var last = k == n - 1;
                for (var t = 0; t < layout.TileCount(chunk); t++)
                {
                    var rows = layout.Tile(chunk, t);
                    var floats = rows.RowCount * layout.Width;
                    Memory<float> own;
                    if (last)
                    {
                        // Own chunk: its partial goes straight into `reduced`, and the incoming sum is added there.
                        var target = layout.SliceOfChunk(reduced, rows);
                        if (producePartial is not null)
                        {
                            await producePartial(chunk, rows.RowStart, rows.RowCount, target).ConfigureAwait(false);
                            own = target;
                        }
                        else
                        {
                            own = layout.Slice(partials, rows);
                        }

                        if (n == 1)
                        {
                            own.Span.CopyTo(target.Span);
                            continue;
                        }

                        var sum = await inbox!.ReceiveAsync(collective, layout.Previous, key.At(k - 1, t), rows.RowCount, cancellationToken).ConfigureAwait(false);
                        TensorPrimitives.Add(sum.Span, own.Span, target.Span);
                        continue;
                    }

                    // Wait for this slot's previous send (not for the latest one) before overwriting its buffer.
                    await sends.WaitForSlotAsync().ConfigureAwait(false);
                    if (producePartial is not null)
                    {
                        own = raw ? sends.SlotBuffer(floats) : scratch.AsMemory(0, floats);
                        await producePartial(chunk, rows.RowStart, rows.RowCount, own).ConfigureAwait(false);
                    }
                    else
                    {
                        own = layout.Slice(partials, rows);
                    }

                    if (k > 0)
                    {
                        var incoming = await inbox!.ReceiveAsync(collective, layout.Previous, key.At(k - 1, t), rows.RowCount, cancellationToken).ConfigureAwait(false);
                        TensorPrimitives.Add(incoming.Span, own.Span, own.Span);
                    }

                    Memory<byte> wire;
                    if (raw)
                    {
                        wire = producePartial is not null ? sends.SlotBufferBytes(floats) : layout.SliceBytes(partialBytes, rows);
                    }
                    else
                    {
                        wire = sends.SlotWire(layout.WireBytes(rows.RowCount));
                        layout.Encode(own.Span, wire.Span);
                    }

                    sends.Post(collective.SendAsync(layout.Next, key.At(k, t), wire, cancellationToken));
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
