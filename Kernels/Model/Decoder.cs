using System.Numerics.Tensors;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Model;

/// <summary>
/// The single-device reference forward of a pre-LN causal decoder (GPT-2, OPT):
/// <c>per layer X += MHA(LN₁(X)); X += W₂·act(W₁·LN₂(X)); h = LN_f(X); logits = h · Eᵀ</c> (LM head tied
/// to the token embeddings). Incremental decoding keeps each layer's K and V in a <see cref="DecoderSession"/>.
/// </summary>
public sealed class Decoder
{
    public Decoder(TransformerWeights weights, KernelThreads? threads = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!weights.Config.IsDecoder)
        {
            throw new ArgumentException($"{weights.Config.Architecture} is an encoder; use Encoder.", nameof(weights));
        }

        BlockMath.RequireWholeLayers(weights);
        Weights = weights;
        Threads = threads;
    }

    public ModelConfig Config => Weights.Config;

    internal TransformerWeights Weights { get; }

    internal KernelThreads? Threads { get; }

    /// <summary>A new sequence with room for <paramref name="capacity"/> tokens (default: the model's positions).</summary>
    public DecoderSession StartSession(int capacity = 0)
    {
        if (capacity < 0 || capacity > Config.MaxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A session holds between 1 and the model's {Config.MaxPositions} positions (0 = all of them).");
        }

        return new DecoderSession(this, capacity == 0 ? Config.MaxPositions : capacity);
    }

    /// <summary>
    /// Continues <paramref name="prompt"/> by up to <paramref name="maxNewTokens"/> tokens, stopping early at
    /// <paramref name="endToken"/>; <paramref name="onToken"/> sees each token as it is chosen.
    /// </summary>
    public IReadOnlyList<int> Generate(IReadOnlyList<int> prompt, int maxNewTokens, SamplingOptions options, int? endToken = null, Action<int>? onToken = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(options);
        if (prompt.Count == 0)
        {
            throw new ArgumentException("The prompt must hold at least one token.", nameof(prompt));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxNewTokens);
        if (prompt.Count + maxNewTokens > Config.MaxPositions)
        {
            throw new ArgumentException($"{prompt.Count} prompt tokens + {maxNewTokens} new tokens exceed the model's {Config.MaxPositions} positions.", nameof(maxNewTokens));
        }

        var session = StartSession(prompt.Count + Math.Max(maxNewTokens, 1));
        var sampler = new TokenSampler(options);
        var generated = new List<int>(maxNewTokens);
        var hidden = session.Append(prompt.ToArray());
        for (var step = 0; step < maxNewTokens; step++)
        {
            var logits = session.Logits(hidden.AsSpan(hidden.Length - Config.HiddenSize));
            var next = sampler.Next(logits);
            generated.Add(next);
            onToken?.Invoke(next);
            if (next == endToken || step == maxNewTokens - 1)
            {
                break;
            }

            hidden = session.Append([next]);
        }

        return generated;
    }

    /// <summary>logits (V) = E (V, H) · h (H), over vocabulary chunks on the kernel threads.</summary>
    internal float[] Logits(ReadOnlySpan<float> hidden)
    {
        if (hidden.Length != Config.HiddenSize)
        {
            throw new ArgumentException($"A hidden row has {Config.HiddenSize} values, got {hidden.Length}.", nameof(hidden));
        }

        var logits = new float[Config.VocabularySize];
        BlockMath.TiedLogits(hidden.ToArray(), 1, Weights.Embeddings, logits, Threads);
        return logits;
    }
}
