using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.IO;

/// <summary>Little-endian F32 / F16 / BF16 elements → fp32. Sources may be unaligned (they point into a mapped file).</summary>
internal static unsafe class SafeTensorsDecoder
{
    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(SafeTensorsDType dtype) => dtype == SafeTensorsDType.F32 ? 4 : 2;

    /// <summary>Converts <c>destination.Length</c> elements starting at <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void Decode(byte* source, SafeTensorsDType dtype, Span<float> destination)
    {
        if (!BitConverter.IsLittleEndian)
        {
            DecodeScalar(source, dtype, destination);
            return;
        }

        switch (dtype)
        {
            case SafeTensorsDType.F32:
                new ReadOnlySpan<float>(source, destination.Length).CopyTo(destination);
                break;
            case SafeTensorsDType.F16:
                TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, destination.Length), destination);
                break;
            case SafeTensorsDType.BF16:
                DecodeBFloat16(new ReadOnlySpan<ushort>(source, destination.Length), MemoryMarshal.Cast<float, uint>(destination));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a readable dtype.");
        }
    }

    /// <summary>bf16 is the upper half of an fp32: bits → bits &lt;&lt; 16, eight at a time.</summary>
    private static void DecodeBFloat16(ReadOnlySpan<ushort> source, Span<uint> destination)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref var input = ref MemoryMarshal.GetReference(source);
            ref var output = ref MemoryMarshal.GetReference(destination);
            for (; i <= source.Length - Vector128<ushort>.Count; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref input, (nuint)i));
                Vector128.ShiftLeft(lower, 16).StoreUnsafe(ref output, (nuint)i);
                Vector128.ShiftLeft(upper, 16).StoreUnsafe(ref output, (nuint)(i + Vector128<uint>.Count));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (uint)source[i] << 16;
        }
    }

    private static void DecodeScalar(byte* source, SafeTensorsDType dtype, Span<float> destination)
    {
        var size = ElementSize(dtype);
        var bytes = new ReadOnlySpan<byte>(source, checked(destination.Length * size));
        for (var i = 0; i < destination.Length; i++)
        {
            var element = bytes.Slice(i * size, size);
            destination[i] = dtype switch
            {
                SafeTensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(element),
                SafeTensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(element),
                _ => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(element) << 16),
            };
        }
    }
}
