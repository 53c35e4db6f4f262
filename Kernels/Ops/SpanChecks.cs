using System.Runtime.InteropServices;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// The argument checks every op shares, so that each op's failures read the same way and name
/// the sizes involved.
/// </summary>
/// <remarks>
/// Overlap rule: an element-wise op may write over one of its own inputs when the destination is
/// exactly that input (same start, same length) — element i is read before it is written. Any other
/// overlap would read elements the op has already overwritten, so it throws.
/// </remarks>
internal static class SpanChecks
{
    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    public static void ThrowIfLengthDiffers(int expected, int actual, string paramName, string expectedWhat)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{paramName} has {actual} elements but {expectedWhat} has {expected}.", paramName);
        }
    }

    /// <summary>The number of rows of <paramref name="rowLength"/> elements in <paramref name="length"/>; throws unless it is whole.</summary>
    public static int RowsOf(int length, int rowLength, string paramName, string rowWhat)
    {
        if (rowLength <= 0)
        {
            throw new ArgumentException($"The row length ({rowWhat}) must be positive but is {rowLength}.", paramName);
        }

        if (length % rowLength != 0)
        {
            throw new ArgumentException($"{paramName} has {length} elements, which is not a whole number of rows of {rowLength} ({rowWhat}).", paramName);
        }

        return length / rowLength;
    }

    /// <summary>Throws if <paramref name="destination"/> overlaps <paramref name="input"/> other than by being exactly it.</summary>
    public static void ThrowIfPartialOverlap(ReadOnlySpan<float> input, ReadOnlySpan<float> destination, string inputName)
    {
        if (input.Overlaps(destination, out var offset) && (offset != 0 || input.Length != destination.Length))
        {
            throw new ArgumentException($"destination partially overlaps {inputName}; it must be exactly {inputName} (in place) or not overlap it at all.", nameof(destination));
        }
    }

    /// <summary>Throws if <paramref name="destination"/> shares any byte with <paramref name="input"/> (spans of different element types).</summary>
    public static void ThrowIfBytesOverlap<TInput, TDestination>(ReadOnlySpan<TInput> input, ReadOnlySpan<TDestination> destination, string inputName)
        where TInput : struct
        where TDestination : struct
    {
        if (MemoryMarshal.AsBytes(input).Overlaps(MemoryMarshal.AsBytes(destination)))
        {
            throw new ArgumentException($"destination overlaps {inputName}; this op cannot write over its inputs.", nameof(destination));
        }
    }

    /// <summary>Throws if <paramref name="destination"/> shares any memory with <paramref name="input"/>.</summary>
    public static void ThrowIfOverlap<TInput>(ReadOnlySpan<TInput> input, ReadOnlySpan<float> destination, string inputName)
        where TInput : struct
    {
        if (MemoryMarshal.AsBytes(input).Overlaps(MemoryMarshal.AsBytes(destination)))
        {
            throw new ArgumentException($"destination overlaps {inputName}; this op cannot write over its inputs.", nameof(destination));
        }
    }
}
