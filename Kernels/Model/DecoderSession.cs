using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Model;

/// <summary>
/// One sequence being decoded: the tokens so far and each layer's key/value cache, (capacity, H) each.
/// <see cref="Append"/> runs only the new tokens, attending to the cached ones.
/// </summary>
public sealed class DecoderSession
{
    private readonly Decoder _decoder;
    private readonly float[][] _keys;
    private readonly float[][] _values;

    internal DecoderSession(Decoder decoder, int capacity)
    {
        _decoder = decoder;
        Capacity = capacity;
        var width = decoder.Config.HiddenSize;
        _keys = new float[decoder.Config.Layers][];
        _values = new float[decoder.Config.Layers][];
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = new float[capacity * width];
            _values[i] = new float[capacity * width];
        }
    }

    /// <summary>Tokens in the cache.</summary>
    public int Length { get; private set; }

    /// <summary>Most tokens this session can hold.</summary>
    public int Capacity { get; }

    /// <summary>Runs <paramref name="tokenIds"/> after the cached tokens; returns their final hidden states (n, H), after the final LayerNorm.</summary>
    /// <exception cref="ArgumentException">No tokens, or the session would exceed its capacity / the model's positions.</exception>
    public float[] Append(ReadOnlySpan<int> tokenIds)
    {
        var config = _decoder.Config;
        var weights = _decoder.Weights;
        var threads = _decoder.Threads;
        var n = tokenIds.Length;
        if (n == 0)
        {
            throw new ArgumentException("Append needs at least one token.", nameof(tokenIds));
        }

        if (Length + n > Capacity)
        {
            throw new ArgumentException($"{Length} cached + {n} new tokens exceed this session's {Capacity} positions (the model has {config.MaxPositions}).", nameof(tokenIds));
        }

        var width = config.HiddenSize;
        var x = new float[n * width];
        Embedding.Gather(tokenIds, default, Length + config.PositionOffset, weights.Embeddings, x);

        var normed = new float[n * width];
        var qkv = new float[n * 3 * width];
        var query = new float[n * width];
        var attended = new float[n * width];
        var projected = new float[n * width];
        var up = new float[n * config.IntermediateSize];
        var shape = new AttentionShape(n, Length + n, config.Heads, config.HeadDim) { Causal = true, QueryOffset = Length };
        for (var l = 0; l < weights.Layers.Length; l++)
        {
            var layer = weights.Layers[l];
            LayerNorm.Apply(x, layer.AttentionNormGamma, layer.AttentionNormBeta, normed, config.LayerNormEpsilon);
            BlockMath.Linear(normed, layer.QueryKeyValue, layer.QueryKeyValueBias, qkv, threads);
            var newKeys = _keys[l].AsSpan(Length * width, n * width);
            var newValues = _values[l].AsSpan(Length * width, n * width);
            BlockMath.SplitQueryKeyValue(qkv, n, width, query, newKeys, newValues);
            Attention.Apply(
                query,
                _keys[l].AsSpan(0, (Length + n) * width),
                _values[l].AsSpan(0, (Length + n) * width),
                attended,
                shape,
                default,
                threads);
            BlockMath.Linear(attended, layer.Output, layer.OutputBias, projected, threads);
            Residual.Add(x, projected, x);

            LayerNorm.Apply(x, layer.MlpNormGamma, layer.MlpNormBeta, normed, config.LayerNormEpsilon);
            BlockMath.Linear(normed, layer.Up, layer.UpBias, up, threads);
            BlockMath.Activate(config.Activation, up);
            BlockMath.Linear(up, layer.Down, layer.DownBias, projected, threads);
            Residual.Add(x, projected, x);
        }

        var final = weights.FinalNorm!;
        LayerNorm.Apply(x, final.Gamma, final.Beta, x, config.LayerNormEpsilon);
        Length += n;
        return x;
    }

    /// <summary>Next-token logits (V) from one final hidden row (H): the tied LM head.</summary>
    public float[] Logits(ReadOnlySpan<float> hiddenRow) => _decoder.Logits(hiddenRow);
}
