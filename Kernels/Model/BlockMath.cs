using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Model;

/// <summary>The pieces of a Transformer layer shared by the encoder and the decoder.</summary>
internal static class BlockMath
{
    /// <summary>Y (rows, N) = X (rows, K) · W + b; with a null W (an empty slice) Y is just b on every row.</summary>
    public static void Linear(ReadOnlySpan<float> x, PackedMatrix? weight, ReadOnlySpan<float> bias, Span<float> y, KernelThreads? threads)
    {
        if (weight is not null)
        {
            Sgemm.Multiply(x, weight, y, bias, threads: threads);
            return;
        }

        for (var r = 0; r < y.Length / bias.Length; r++)
        {
            bias.CopyTo(y.Slice(r * bias.Length, bias.Length));
        }
    }

    /// <summary>Splits rows of [Q | K | V] (rows, 3W) into Q, K and V (rows, W) each.</summary>
    public static void SplitQueryKeyValue(ReadOnlySpan<float> qkv, int rows, int width, Span<float> query, Span<float> key, Span<float> value)
    {
        for (var r = 0; r < rows; r++)
        {
            var row = qkv.Slice(r * 3 * width, 3 * width);
            row[..width].CopyTo(query.Slice(r * width, width));
            row.Slice(width, width).CopyTo(key.Slice(r * width, width));
            row.Slice(2 * width, width).CopyTo(value.Slice(r * width, width));
        }
    }

    /// <summary>The MLP's activation, in place.</summary>
    public static void Activate(Activation activation, Span<float> values)
    {
        switch (activation)
        {
            case Activation.GeluErf:
                Gelu.Erf(values, values);
                break;
            case Activation.GeluTanh:
                Gelu.Tanh(values, values);
                break;
            default:
                Relu.Apply(values, values);
                break;
        }
    }

    /// <summary>
    /// logits (rows, V) = h (rows, H) · Eᵀ with E the (V, H) token embeddings (the tied LM head): one dot product per
    /// (row, token), over vocabulary chunks of 1,024 on the kernel threads.
    /// </summary>
    public static void TiedLogits(ReadOnlyMemory<float> hidden, int rows, EmbeddingTables embeddings, Memory<float> logits, KernelThreads? threads)
    {
        const int Chunk = 1024;
        var vocabulary = embeddings.VocabularySize;
        var size = embeddings.HiddenSize;
        if (hidden.Length != rows * size || logits.Length != rows * vocabulary)
        {
            throw new ArgumentException($"{rows} rows need {rows * size} hidden values and {rows * vocabulary} logits; got {hidden.Length} and {logits.Length}.");
        }

        var table = embeddings.Tokens;
        (threads ?? KernelThreads.Shared).For((vocabulary + Chunk - 1) / Chunk, chunk =>
        {
            var tokens = table.Span;
            var end = Math.Min(vocabulary, (chunk + 1) * Chunk);
            for (var r = 0; r < rows; r++)
            {
                var h = hidden.Span.Slice(r * size, size);
                var row = logits.Span.Slice(r * vocabulary, vocabulary);
                for (var v = chunk * Chunk; v < end; v++)
                {
                    row[v] = System.Numerics.Tensors.TensorPrimitives.Dot(tokens.Slice(v * size, size), h);
                }
            }
        });
    }

    /// <summary>Throws unless every layer holds all heads and all MLP columns (single-device models).</summary>
    public static void RequireWholeLayers(TransformerWeights weights)
    {
        var whole = LayerSlice.Whole(weights.Config);
        if (weights.Layers.Any(layer => layer.Slice != whole))
        {
            throw new ArgumentException("These weights hold a slice of each layer; a single-device model needs whole layers.", nameof(weights));
        }
    }
}
