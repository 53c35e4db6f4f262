using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Model;

/// <summary>
/// The single-device reference forward of a post-LN encoder (BERT, MiniLM, DistilBERT):
/// <c>X = LN(embed(ids)); per layer X = LN(X + MHA(X)); X = LN(X + W₂·act(W₁·X))</c>.
/// </summary>
public sealed class Encoder
{
    private readonly TransformerWeights _weights;
    private readonly KernelThreads? _threads;
    private EncoderState? _spareState;

    public Encoder(TransformerWeights weights, KernelThreads? threads = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Config.IsDecoder)
        {
            throw new ArgumentException($"{weights.Config.Architecture} is a decoder; use Decoder.", nameof(weights));
        }

        BlockMath.RequireWholeLayers(weights);
        _weights = weights;
        _threads = threads;
    }

    public ModelConfig Config => _weights.Config;

    /// <summary>The last hidden state (batch · seq, H) of <paramref name="batch"/> sequences of equal (padded) length.</summary>
    /// <param name="tokenIds">batch × seq token ids, row-major.</param>
    /// <param name="tokenTypeIds">Empty (all type 0) or batch × seq ids.</param>
    /// <param name="attentionMask">Empty (no padding) or batch × seq bytes, 1 = token, 0 = padding.</param>
    /// <param name="batch">Number of sequences.</param>
    public float[] Forward(ReadOnlySpan<int> tokenIds, ReadOnlySpan<int> tokenTypeIds, ReadOnlySpan<byte> attentionMask, int batch = 1)
    {
        var config = Config;
        var seq = CheckInput(tokenIds, tokenTypeIds, attentionMask, batch);
        var rows = tokenIds.Length;
        var hidden = config.HiddenSize;
        var x = new float[rows * hidden];
        for (var b = 0; b < batch; b++)
        {
            Embedding.Gather(
                tokenIds.Slice(b * seq, seq),
                tokenTypeIds.IsEmpty ? default : tokenTypeIds.Slice(b * seq, seq),
                0,
                _weights.Embeddings,
                x.AsSpan(b * seq * hidden, seq * hidden));
        }

        if (_weights.EmbeddingNorm is { } norm)
        {
            LayerNorm.Apply(x, norm.Gamma, norm.Beta, x, config.LayerNormEpsilon);
        }

        // Activation buffers are reused across calls (one spare set; concurrent calls get their own).
        var state = Interlocked.Exchange(ref _spareState, null);
        if (state is null || state.Capacity < rows)
        {
            state = new EncoderState(rows, config);
        }

        state.Rows = rows;
        foreach (var layer in _weights.Layers)
        {
            RunLayer(layer, x, state, batch, seq, attentionMask);
        }

        _spareState = state;
        return x;
    }

    /// <summary>Sentence embeddings: the mean of each sequence's unmasked rows, L2-normalised when asked (sentence-transformers).</summary>
    public static float[] MeanPool(ReadOnlySpan<float> hiddenStates, ReadOnlySpan<byte> attentionMask, int batch, int hiddenSize, bool normalize = true)
    {
        if (batch < 1 || hiddenSize < 1 || hiddenStates.Length % (batch * hiddenSize) != 0)
        {
            throw new ArgumentException($"Hidden states of {hiddenStates.Length} values are not {batch} sequences of rows of {hiddenSize}.", nameof(hiddenStates));
        }

        var seq = hiddenStates.Length / (batch * hiddenSize);
        if (!attentionMask.IsEmpty && attentionMask.Length != batch * seq)
        {
            throw new ArgumentException($"attentionMask has {attentionMask.Length} entries, expected {batch * seq}.", nameof(attentionMask));
        }

        var pooled = new float[batch * hiddenSize];
        for (var b = 0; b < batch; b++)
        {
            var target = pooled.AsSpan(b * hiddenSize, hiddenSize);
            var count = 0;
            for (var s = 0; s < seq; s++)
            {
                if (attentionMask.IsEmpty || attentionMask[(b * seq) + s] != 0)
                {
                    Residual.Add(target, hiddenStates.Slice(((b * seq) + s) * hiddenSize, hiddenSize), target);
                    count++;
                }
            }

            if (count > 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(target, 1f / count, target);
            }

            if (normalize)
            {
                var length = System.Numerics.Tensors.TensorPrimitives.Norm(target);
                System.Numerics.Tensors.TensorPrimitives.Multiply(target, 1f / Math.Max(length, 1e-12f), target);
            }
        }

        return pooled;
    }

    /// <summary>BERT's pooled output <c>tanh(h_[CLS] · W + b)</c> per sequence (batch, H).</summary>
    /// <exception cref="InvalidOperationException">The checkpoint has no pooler.</exception>
    public float[] Pool(ReadOnlySpan<float> hiddenStates, int batch)
    {
        var pooler = _weights.Pooler ?? throw new InvalidOperationException("This checkpoint has no pooler (pooler.dense); use MeanPool.");
        var hidden = Config.HiddenSize;
        var seq = hiddenStates.Length / (batch * hidden);
        var cls = new float[batch * hidden];
        for (var b = 0; b < batch; b++)
        {
            hiddenStates.Slice(b * seq * hidden, hidden).CopyTo(cls.AsSpan(b * hidden, hidden));
        }

        var pooled = new float[batch * hidden];
        BlockMath.Linear(cls, pooler.Weight, pooler.Bias, pooled, _threads);
        System.Numerics.Tensors.TensorPrimitives.Tanh(pooled, pooled);
        return pooled;
    }

    private int CheckInput(ReadOnlySpan<int> tokenIds, ReadOnlySpan<int> tokenTypeIds, ReadOnlySpan<byte> attentionMask, int batch)
    {
        if (batch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must hold at least one sequence.");
        }

        if (tokenIds.IsEmpty || tokenIds.Length % batch != 0)
        {
            throw new ArgumentException($"{tokenIds.Length} token ids are not {batch} non-empty sequences of equal length.", nameof(tokenIds));
        }

        var seq = tokenIds.Length / batch;
        if (seq > Config.MaxPositions)
        {
            throw new ArgumentException($"A sequence of {seq} tokens is longer than the model's {Config.MaxPositions} positions.", nameof(tokenIds));
        }

        if (!tokenTypeIds.IsEmpty && tokenTypeIds.Length != tokenIds.Length)
        {
            throw new ArgumentException($"tokenTypeIds has {tokenTypeIds.Length} ids for {tokenIds.Length} tokens.", nameof(tokenTypeIds));
        }

        if (!attentionMask.IsEmpty && attentionMask.Length != tokenIds.Length)
        {
            throw new ArgumentException($"attentionMask has {attentionMask.Length} entries for {tokenIds.Length} tokens.", nameof(attentionMask));
        }

        return seq;
    }

    private void RunLayer(LayerWeights layer, float[] x, EncoderState state, int batch, int seq, ReadOnlySpan<byte> attentionMask)
    {
        var config = Config;
        var width = config.HiddenSize;
        BlockMath.Linear(x, layer.QueryKeyValue, layer.QueryKeyValueBias, state.QueryKeyValue, _threads);
        BlockMath.SplitQueryKeyValue(state.QueryKeyValue, state.Rows, width, state.Query, state.Key, state.Value);
        var shape = new AttentionShape(seq, seq, config.Heads, config.HeadDim);
        for (var b = 0; b < batch; b++)
        {
            var rows = new Range(b * seq * width, (b + 1) * seq * width);
            Attention.Apply(
                state.Query[rows],
                state.Key[rows],
                state.Value[rows],
                state.Attended[rows],
                shape,
                attentionMask.IsEmpty ? default : attentionMask.Slice(b * seq, seq),
                _threads);
        }

        BlockMath.Linear(state.Attended, layer.Output, layer.OutputBias, state.Projected, _threads);
        Residual.Add(x, state.Projected, x);
        LayerNorm.Apply(x, layer.AttentionNormGamma, layer.AttentionNormBeta, x, config.LayerNormEpsilon);

        BlockMath.Linear(x, layer.Up, layer.UpBias, state.Up, _threads);
        BlockMath.Activate(config.Activation, state.Up);
        BlockMath.Linear(state.Up, layer.Down, layer.DownBias, state.Projected, _threads);
        Residual.Add(x, state.Projected, x);
        LayerNorm.Apply(x, layer.MlpNormGamma, layer.MlpNormBeta, x, config.LayerNormEpsilon);
    }

    /// <summary>Activation buffers of a forward, sized for up to <see cref="Capacity"/> rows; each view covers <see cref="Rows"/> rows.</summary>
    private sealed class EncoderState(int capacity, ModelConfig config)
    {
        private readonly int _hidden = config.HiddenSize;
        private readonly int _intermediate = config.IntermediateSize;
        private readonly float[] _queryKeyValue = new float[capacity * 3 * config.HiddenSize];
        private readonly float[] _query = new float[capacity * config.HiddenSize];
        private readonly float[] _key = new float[capacity * config.HiddenSize];
        private readonly float[] _value = new float[capacity * config.HiddenSize];
        private readonly float[] _attended = new float[capacity * config.HiddenSize];
        private readonly float[] _projected = new float[capacity * config.HiddenSize];
        private readonly float[] _up = new float[capacity * config.IntermediateSize];

        public int Capacity { get; } = capacity;

        public int Rows { get; set; }

        public Span<float> QueryKeyValue => _queryKeyValue.AsSpan(0, Rows * 3 * _hidden);

        public Span<float> Query => _query.AsSpan(0, Rows * _hidden);

        public Span<float> Key => _key.AsSpan(0, Rows * _hidden);

        public Span<float> Value => _value.AsSpan(0, Rows * _hidden);

        public Span<float> Attended => _attended.AsSpan(0, Rows * _hidden);

        public Span<float> Projected => _projected.AsSpan(0, Rows * _hidden);

        public Span<float> Up => _up.AsSpan(0, Rows * _intermediate);
    }
}
