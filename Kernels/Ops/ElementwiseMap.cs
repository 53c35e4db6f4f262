using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Galaxy.Kernels.Ops;

/// <summary>Drives an <see cref="IElementwiseFunction"/> over a span: <c>destination[i] = f(x[i])</c>.</summary>
/// <remarks>
/// <see cref="Vector{T}"/> is the hardware width (NEON on ARM edge boards, AVX2 on x64; .NET keeps it
/// at 256 bits on AVX-512 parts by default), so one formula serves every device; where 512-bit vectors
/// are accelerated the map uses those instead, which on Zen 4 runs the exp-based forms about a fifth
/// faster. The tail is run through the same vector formula on a padded copy: every element gets
/// bit-identical treatment whatever its position, and the in-place case never re-reads an element it
/// has already written. The map is compiled fully optimised on first use and inlines the function, for
/// the reason given on <see cref="Softmax"/>.
/// </remarks>
internal static class ElementwiseMap
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TFunction>(ReadOnlySpan<float> x, Span<float> destination)
        where TFunction : IElementwiseFunction
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Apply512<TFunction>(x, destination);
            return;
        }

        var width = Vector<float>.Count;
        ref var xStart = ref MemoryMarshal.GetReference(x);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        for (; i <= x.Length - width; i += width)
        {
            TFunction.Invoke(Vector.LoadUnsafe(ref xStart, (nuint)i)).StoreUnsafe(ref destinationStart, (nuint)i);
        }

        var remaining = x.Length - i;
        if (remaining > 0)
        {
            Span<float> padded = stackalloc float[width];
            x[i..].CopyTo(padded);
            TFunction.Invoke(new Vector<float>(padded)).CopyTo(padded);
            padded[..remaining].CopyTo(destination[i..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply512<TFunction>(ReadOnlySpan<float> x, Span<float> destination)
        where TFunction : IElementwiseFunction
    {
        var width = Vector512<float>.Count;
        ref var xStart = ref MemoryMarshal.GetReference(x);
        ref var destinationStart = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        for (; i <= x.Length - width; i += width)
        {
            TFunction.Invoke(Vector512.LoadUnsafe(ref xStart, (nuint)i)).StoreUnsafe(ref destinationStart, (nuint)i);
        }

        var remaining = x.Length - i;
        if (remaining > 0)
        {
            Span<float> padded = stackalloc float[width];
            x[i..].CopyTo(padded);
            TFunction.Invoke(Vector512.Create<float>(padded)).CopyTo(padded);
            padded[..remaining].CopyTo(destination[i..]);
        }
    }
}
