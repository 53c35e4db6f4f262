using System.Diagnostics;
using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Ops;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Models;

/// <summary>
/// A bench-side copy of <see cref="Encoder.Forward"/>'s loop (post-LN BERT, whole layers, batch 1, no mask, GELU-erf
/// MLP) that times each <see cref="EncoderPhase"/> with a stopwatch, to see where Galaxy's time goes. It calls the
/// same public kernels in the same order, so its output equals <see cref="Encoder.Forward"/>'s bit for bit; the
/// profile command checks that before it trusts the split.
/// </summary>
/// <remarks>
/// With <c>reuseBuffers</c> off it allocates its activations on every forward, as <see cref="Encoder"/> does; with it
/// on it allocates them once, which shows what the per-call allocation costs in total (zeroing, GC, and the page
/// faults of first touching fresh memory, which land in whichever phase writes the memory first).
/// </remarks>
public sealed class EncoderPhaseProfiler
{
    private readonly TransformerWeights _weights;
    private readonly int[] _tokenIds;
    private readonly KernelThreads _pool;
    private readonly bool _reuseBuffers;
    private Buffers? _buffers;

    /// <exception cref="NotSupportedException">The model is not a post-LN encoder with a GELU-erf MLP and whole layers.</exception>
    public EncoderPhaseProfiler(TransformerWeights weights, int[] tokenIds, KernelThreads pool, bool reuseBuffers)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(tokenIds);
        ArgumentNullException.ThrowIfNull(pool);
        var config = weights.Config;
        if (config.IsDecoder || config.Activation != Activation.GeluErf || weights.EmbeddingNorm is null
            || weights.Layers.Any(layer => layer.Slice != LayerSlice.Whole(config)))
        {
            throw new NotSupportedException("The phase profiler copies the BERT path only: post-LN, GELU-erf, embedding LayerNorm, whole layers.");
        }

        _weights = weights;
        _tokenIds = tokenIds;
        _pool = pool;
        _reuseBuffers = reuseBuffers;
    }

    /// <summary>Number of <see cref="EncoderPhase"/> values, the length <see cref="Forward"/>'s span needs.</summary>
    public static int PhaseCount { get; } = Enum.GetValues<EncoderPhase>().Length;

    /// <summary>One forward; adds each phase's seconds to <paramref name="phaseSeconds"/> (indexed by <see cref="EncoderPhase"/>).</summary>
    /// <returns>The last hidden state (seq, H).</returns>
    public float[] Forward(Span<double> phaseSeconds)
    {
        if (phaseSeconds.Length != PhaseCount)
        {
            throw new ArgumentException($"Expected one slot per phase ({PhaseCount}), got {phaseSeconds.Length}.", nameof(phaseSeconds));
        }

        var config = _weights.Config;
        var epsilon = config.LayerNormEpsilon;
        var clock = new PhaseClock(phaseSeconds);

        var buffers = _reuseBuffers ? _buffers ??= new Buffers(_tokenIds.Length, config) : new Buffers(_tokenIds.Length, config);
        clock.Lap(EncoderPhase.Allocation);

        var x = buffers.X;
        Embedding.Gather(_tokenIds, default, 0, _weights.Embeddings, x);
        clock.Lap(EncoderPhase.Embedding);
        var norm = _weights.EmbeddingNorm!;
        LayerNorm.Apply(x, norm.Gamma, norm.Beta, x, epsilon);
        clock.Lap(EncoderPhase.LayerNorm);

        var width = config.HiddenSize;
        var shape = new AttentionShape(_tokenIds.Length, _tokenIds.Length, config.Heads, config.HeadDim);
        foreach (var layer in _weights.Layers)
        {
            Sgemm.Multiply(x, layer.QueryKeyValue!, buffers.QueryKeyValue, layer.QueryKeyValueBias, threads: _pool);
            clock.Lap(EncoderPhase.QueryKeyValueGemm);
            Split(buffers.QueryKeyValue, width, buffers.Query, buffers.Key, buffers.Value);
            clock.Lap(EncoderPhase.QueryKeyValueSplit);
            Attention.Apply(buffers.Query, buffers.Key, buffers.Value, buffers.Attended, shape, default, _pool);
            clock.Lap(EncoderPhase.Attention);
            Sgemm.Multiply(buffers.Attended, layer.Output!, buffers.Projected, layer.OutputBias, threads: _pool);
            clock.Lap(EncoderPhase.OutputGemm);
            Residual.Add(x, buffers.Projected, x);
            clock.Lap(EncoderPhase.Residual);
            LayerNorm.Apply(x, layer.AttentionNormGamma, layer.AttentionNormBeta, x, epsilon);
            clock.Lap(EncoderPhase.LayerNorm);

            Sgemm.Multiply(x, layer.Up!, buffers.Up, layer.UpBias, threads: _pool);
            clock.Lap(EncoderPhase.UpGemm);
            Gelu.Erf(buffers.Up, buffers.Up);
            clock.Lap(EncoderPhase.Gelu);
            Sgemm.Multiply(buffers.Up, layer.Down!, buffers.Projected, layer.DownBias, threads: _pool);
            clock.Lap(EncoderPhase.DownGemm);
            Residual.Add(x, buffers.Projected, x);
            clock.Lap(EncoderPhase.Residual);
            LayerNorm.Apply(x, layer.MlpNormGamma, layer.MlpNormBeta, x, epsilon);
            clock.Lap(EncoderPhase.LayerNorm);
        }

        return x;
    }

    private static void Split(ReadOnlySpan<float> queryKeyValue, int width, Span<float> query, Span<float> key, Span<float> value)
    {
        for (var r = 0; r < query.Length / width; r++)
        {
            var row = queryKeyValue.Slice(r * 3 * width, 3 * width);
            row[..width].CopyTo(query.Slice(r * width, width));
            row.Slice(width, width).CopyTo(key.Slice(r * width, width));
            row.Slice(2 * width, width).CopyTo(value.Slice(r * width, width));
        }
    }

    /// <summary>Adds the time since the previous lap to a phase.</summary>
    private ref struct PhaseClock(Span<double> seconds)
    {
        private readonly Span<double> _seconds = seconds;
        private long _last = Stopwatch.GetTimestamp();

        public void Lap(EncoderPhase phase)
        {
            var now = Stopwatch.GetTimestamp();
            _seconds[(int)phase] += Stopwatch.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
        }
    }

    /// <summary>The same activation buffers as the encoder's: X and its run state, (rows, ·) each.</summary>
    private sealed class Buffers(int rows, ModelConfig config)
    {
        public float[] X { get; } = new float[rows * config.HiddenSize];

        public float[] QueryKeyValue { get; } = new float[rows * 3 * config.HiddenSize];

        public float[] Query { get; } = new float[rows * config.HiddenSize];

        public float[] Key { get; } = new float[rows * config.HiddenSize];

        public float[] Value { get; } = new float[rows * config.HiddenSize];

        public float[] Attended { get; } = new float[rows * config.HiddenSize];

        public float[] Projected { get; } = new float[rows * config.HiddenSize];

        public float[] Up { get; } = new float[rows * config.IntermediateSize];
    }
}
