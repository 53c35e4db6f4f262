using System.Buffers;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Ops;

/// <summary>
/// Scaled dot-product attention over the heads one device holds:
/// <c>O_h = softmax(scale · Q_h K_hᵀ + mask) V_h</c> for every head h, where Q_h, K_h, V_h, O_h are
/// columns <c>[h·d, (h+1)·d)</c> of Q (S_q, h_d·d), K (S_k, h_d·d), V (S_k, h_d·d) and O (S_q, h_d·d).
/// </summary>
/// <remarks>
/// The mask removes padded keys (key mask byte 0) and, when causal, keys after the query's absolute
/// position. A query row that can see no key outputs zeros. Work runs on <see cref="KernelThreads"/> in two
/// phases: packing each head's K and V (one task per head), then (head × block of query rows) tasks; each
/// output element is computed by the same code whichever thread runs it, so the result does not depend on
/// the thread count.
/// </remarks>
public static unsafe class Attention
{
    /// <summary>Attention for the heads in <paramref name="shape"/>; see the class summary for the formula.</summary>
    /// <param name="query">Q, <c>shape.QueryRows</c> × <c>shape.Width</c>, row-major.</param>
    /// <param name="key">K, <c>shape.KeyRows</c> × <c>shape.Width</c>, row-major.</param>
    /// <param name="value">V, <c>shape.KeyRows</c> × <c>shape.Width</c>, row-major.</param>
    /// <param name="destination">O, <c>shape.QueryRows</c> × <c>shape.Width</c>; must not overlap any input.</param>
    /// <param name="shape">Rows, heads, head size, causality, query offset and scale.</param>
    /// <param name="keyMask">Empty (every key attends) or <c>shape.KeyRows</c> bytes: 0 = padding, anything else = attend.</param>
    /// <param name="threads">Compute threads; <see cref="KernelThreads.Shared"/> when null.</param>
    public static void Apply(
        ReadOnlySpan<float> query,
        ReadOnlySpan<float> key,
        ReadOnlySpan<float> value,
        Span<float> destination,
        AttentionShape shape,
        ReadOnlySpan<byte> keyMask = default,
        KernelThreads? threads = null)
    {
        CheckShape(shape);
        var width = (long)shape.Heads * shape.HeadDim;
        CheckLength(query.Length, shape.QueryRows * width, nameof(query), "QueryRows", shape.QueryRows, shape);
        CheckLength(key.Length, shape.KeyRows * width, nameof(key), "KeyRows", shape.KeyRows, shape);
        CheckLength(value.Length, shape.KeyRows * width, nameof(value), "KeyRows", shape.KeyRows, shape);
        CheckLength(destination.Length, shape.QueryRows * width, nameof(destination), "QueryRows", shape.QueryRows, shape);
        if (!keyMask.IsEmpty && keyMask.Length != shape.KeyRows)
        {
            throw new ArgumentException($"keyMask has {keyMask.Length} entries but there are {shape.KeyRows} key rows; pass one byte per key or none.", nameof(keyMask));
        }

        SpanChecks.ThrowIfOverlap(query, destination, nameof(query));
        SpanChecks.ThrowIfOverlap(key, destination, nameof(key));
        SpanChecks.ThrowIfOverlap(value, destination, nameof(value));
        SpanChecks.ThrowIfOverlap(keyMask, destination, nameof(keyMask));

        if (destination.IsEmpty)
        {
            return;
        }

        if (shape.KeyRows == 0)
        {
            destination.Clear();
            return;
        }

        var pool = threads ?? KernelThreads.Shared;
        var packed = ArrayPool<float>.Shared.Rent(checked((int)AttentionJob.PackedLength(shape)));
        try
        {
            fixed (float* queryPointer = query)
            fixed (float* keyPointer = key)
            fixed (float* valuePointer = value)
            fixed (float* destinationPointer = destination)
            fixed (byte* keyMaskPointer = keyMask)
            fixed (float* packedPointer = packed)
            {
                var job = new AttentionJob(
                    queryPointer,
                    keyPointer,
                    valuePointer,
                    destinationPointer,
                    keyMask.IsEmpty ? null : keyMaskPointer,
                    packedPointer,
                    shape);
                pool.For(shape.Heads, job.PackHead);
                pool.For(job.TaskCount, job.RunTask);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    private static void CheckShape(AttentionShape shape)
    {
        if (shape.QueryRows < 0 || shape.KeyRows < 0 || shape.Heads < 0 || shape.HeadDim < 1 || shape.QueryOffset < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(shape),
                shape,
                $"Attention needs QueryRows, KeyRows, Heads and QueryOffset ≥ 0 and HeadDim ≥ 1, but got QueryRows = {shape.QueryRows}, KeyRows = {shape.KeyRows}, Heads = {shape.Heads}, HeadDim = {shape.HeadDim}, QueryOffset = {shape.QueryOffset}.");
        }

        if (!float.IsFinite(shape.Scale))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, $"Attention scale must be finite but is {shape.Scale}.");
        }
    }

    private static void CheckLength(int actual, long expected, string paramName, string rowsName, int rows, AttentionShape shape)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"{paramName} has {actual} elements but {rowsName} × Heads × HeadDim = {rows} × {shape.Heads} × {shape.HeadDim} = {expected}.",
                paramName);
        }
    }
}
