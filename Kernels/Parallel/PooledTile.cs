using System.Buffers;

namespace Galaxy.Kernels.Parallel;

/// <summary>A tile's payload in transit: the first <see cref="Length"/> bytes of <see cref="Buffer"/>, rented from <see cref="Pool"/>.</summary>
internal readonly record struct PooledTile(byte[] Buffer, int Length, ArrayPool<byte> Pool)
{
    /// <summary>Copies <paramref name="data"/> into an array rented from <paramref name="pool"/>.</summary>
    public static PooledTile CopyOf(ReadOnlySpan<byte> data, ArrayPool<byte> pool)
    {
        var buffer = pool.Rent(Math.Max(data.Length, 1));
        data.CopyTo(buffer);
        return new PooledTile(buffer, data.Length, pool);
    }

    /// <summary>Hands the array back to its pool; the tile must not be used afterwards.</summary>
    public void Return() => Pool.Return(Buffer);
}
