using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// An <see cref="ICollective"/> that passes every call through and watches the layers of the tile keys: the first
/// tile of layer L means this device has finished layer L − 1 (its connective block is done and the next layer's
/// AllGather starts). <see cref="Finish"/> reports the layers left once the executor returns, so every layer is
/// reported exactly once, whatever the plan (a one-device plan sends no tiles at all, and hears of its layers at the end).
/// </summary>
internal sealed class LayerProgressCollective(ICollective inner, Action<int> layerDone) : ICollective
{
    // The lowest layer not reported yet.
    private int _next;

    public int Rank => inner.Rank;

    public int Size => inner.Size;

    public ValueTask SendAsync(int destination, TileKey key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Reach(key.Layer);
        return inner.SendAsync(destination, key, data, cancellationToken);
    }

    public ValueTask ReceiveAsync(int source, TileKey key, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        Reach(key.Layer);
        return inner.ReceiveAsync(source, key, destination, cancellationToken);
    }

    /// <summary>Reports every layer below <paramref name="layers"/> not reported yet (the executor has returned).</summary>
    public void Finish(int layers) => Reach(layers);

    /// <summary>Reports layers [reported, <paramref name="layer"/>): the device is working on <paramref name="layer"/>.</summary>
    private void Reach(int layer)
    {
        while (true)
        {
            var next = Volatile.Read(ref _next);
            if (layer <= next)
            {
                return;
            }

            // Sends and receives run on several tasks at once; only the one that moves the mark reports the layers it passed.
            if (Interlocked.CompareExchange(ref _next, layer, next) == next)
            {
                for (var done = next; done < layer; done++)
                {
                    layerDone(done);
                }

                return;
            }
        }
    }
}
