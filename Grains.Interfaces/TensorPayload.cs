using System.Runtime.InteropServices;

namespace Galaxy.Grains;

/// <summary>
/// fp32 values carried between silos as raw little-endian bytes. <see cref="TensorPayloadCodec"/> writes them as
/// one length-prefixed block (Orleans would otherwise encode a <c>float[]</c> element by element, DESIGN.md §6),
/// and the payload is immutable, so a same-silo call passes it without a copy.
/// </summary>
[Immutable]
public sealed class TensorPayload
{
    private readonly byte[] _bytes;

    private TensorPayload(byte[] bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new ArgumentException($"A tensor payload holds whole fp32 values; {bytes.Length} bytes is not a multiple of {sizeof(float)}.", nameof(bytes));
        }

        _bytes = bytes;
    }

    /// <summary>The payload with no values.</summary>
    public static TensorPayload Empty { get; } = new([]);

    /// <summary>Number of fp32 values.</summary>
    public int Length => _bytes.Length / sizeof(float);

    /// <summary>The raw bytes (Length × 4).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The values.</summary>
    public ReadOnlySpan<float> Values => MemoryMarshal.Cast<byte, float>(_bytes);

    /// <summary>A payload holding a copy of <paramref name="values"/>.</summary>
    public static TensorPayload CopyOf(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        MemoryMarshal.AsBytes(values).CopyTo(bytes);
        return new TensorPayload(bytes);
    }

    /// <summary>A payload that owns <paramref name="bytes"/> (the caller must not change them afterwards).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 4.</exception>
    public static TensorPayload FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new TensorPayload(bytes);
    }

    /// <summary>Copies the values into <paramref name="destination"/>, which must have exactly <see cref="Length"/> elements.</summary>
    /// <exception cref="ArgumentException">The destination has another length.</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length != Length)
        {
            throw new ArgumentException($"The payload holds {Length} values but the destination has {destination.Length}.", nameof(destination));
        }

        Values.CopyTo(destination);
    }

    /// <summary>A new array with the values.</summary>
    public float[] ToArray() => Values.ToArray();
}
