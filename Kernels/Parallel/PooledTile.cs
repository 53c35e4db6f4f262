using System.Buffers;

namespace Galaxy.Kernels.Parallel;

/// <summary>A tile's payload in transit: the first <see cref="Length"/> floats of <see cref="Buffer"/>, rented from <see cref="Pool"/>.</summary>
internal readonly record struct PooledTile(float[] Buffer, int Length, ArrayPool<float> Pool)
{
    /// <summary>Copies <paramref name="data"/> into an array rented from <paramref name="pool"/>.</summary>
    public static PooledTile CopyOf(ReadOnlySpan<float> data, ArrayPool<float> pool)
    {
        var buffer = pool.Rent(Math.Max(data.Length, 1));
        data.CopyTo(buffer);
        return new PooledTile(buffer, data.Length, pool);
    }

    /// <summary>Hands the array back to its pool; the tile must not be used afterwards.</summary>
    public void Return() => Pool.Return(Buffer);
}
