using System.Buffers;

namespace Galaxy.Kernels.Parallel;

/// <summary>A tile's payload in transit: the first <see cref="Length"/> floats of an array rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
internal readonly record struct PooledTile(float[] Buffer, int Length)
{
    /// <summary>Copies <paramref name="data"/> into a rented array.</summary>
    public static PooledTile CopyOf(ReadOnlySpan<float> data)
    {
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(data.Length, 1));
        data.CopyTo(buffer);
        return new PooledTile(buffer, data.Length);
    }

    /// <summary>Hands the array back to the pool; the tile must not be used afterwards.</summary>
    public void Return() => ArrayPool<float>.Shared.Return(Buffer);
}
