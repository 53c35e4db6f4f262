using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>
/// What a device's share of a plan costs in memory (fp32, 4 bytes per value). With H hidden, d head width, L layers,
/// V vocabulary, P positions (+ OPT's offset), T token types, F MLP width, S sequence rows, and a share of h heads
/// (w = h·d), f MLP columns and s rows:
/// <list type="bullet">
/// <item>weights = 4 · (V·H + P·H + T·H [tables] + 2H [embedding or final LayerNorm] + H² + H [BERT pooler]
///   + L · (4·H·w + 3·w + 2·H·f + f + 6·H)) — per layer the QKV columns and biases of its heads, the W_O rows that read
///   them, its W_1 columns and bias, its W_2 rows, and the whole b_O, b_2 and both LayerNorms; exactly what
///   <see cref="TransformerWeights.ByteCount"/> counts for the slice a device loads (GEMM panel padding excluded);</item>
/// <item>activations (hybrid) = 4 · (3·S·H + 2·s·H + 7·S·w + S·f + S²): the gathered block input, tile buffers,
///   the device's rows, its Q K V / fused QKV / attended columns, its MLP columns and one head's scores;
///   Megatron = 4 · (4·S·H + 7·S·w + S·f + S²); sequence = 4 · (2·S·H + 8·s·H + s·F + s·S);</item>
/// <item>KV cache (decoders) = 4 · 2 · L · S · w (its heads' keys and values; sequence parallelism keeps all heads);</item>
/// <item>runtime = <see cref="PlannerOptions.RuntimeOverheadBytes"/>.</item>
/// </list>
/// </summary>
public static class MemoryModel
{
    /// <summary>Bytes of the tables, norms and pooler every device holds whatever its share.</summary>
    public static long SharedWeightBytes(ModelConfig config, PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        long h = config.HiddenSize;
        var types = config.Architecture == ModelArchitecture.Bert ? config.TypeVocabularySize : 0;
        var floats = (config.VocabularySize * h) + ((config.MaxPositions + config.PositionOffset) * h) + (types * h) + (2 * h);
        if (config.Architecture == ModelArchitecture.Bert && options.BertPooler)
        {
            floats += (h * h) + h;
        }

        return floats * sizeof(float);
    }

    /// <summary>Bytes of one layer's slice with <paramref name="heads"/> heads and <paramref name="columns"/> MLP columns.</summary>
    public static long LayerBytes(ModelConfig config, int heads, int columns)
    {
        ArgumentNullException.ThrowIfNull(config);
        long h = config.HiddenSize;
        long w = (long)heads * config.HeadDim;
        long f = columns;
        return ((4 * h * w) + (3 * w) + (2 * h * f) + f + (6 * h)) * sizeof(float);
    }

    /// <summary>Weight bytes of a device holding <paramref name="heads"/> heads and <paramref name="columns"/> columns of every layer.</summary>
    public static long WeightBytes(ModelConfig config, int heads, int columns, PlannerOptions options) =>
        SharedWeightBytes(config, options) + (config.Layers * LayerBytes(config, heads, columns));

    /// <summary>The whole model's weight bytes (what one device alone holds).</summary>
    public static long ModelBytes(ModelConfig config, PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        return WeightBytes(config, config.Heads, config.IntermediateSize, options);
    }

    /// <summary>The memory a device with <paramref name="share"/> of a <paramref name="mode"/> plan needs at <paramref name="sequenceLength"/> rows.</summary>
    public static MemoryEstimate Estimate(ModelConfig config, ParallelMode mode, DeviceShare share, int sequenceLength, PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        long big = sequenceLength;
        long h = config.HiddenSize;
        long s = share.Rows;
        var sequence = mode == ParallelMode.Sequence;
        var heads = sequence ? config.Heads : share.Heads;
        var columns = sequence ? config.IntermediateSize : share.MlpColumns;
        long w = (long)heads * config.HeadDim;
        long activations = mode switch
        {
            ParallelMode.Sequence => (2 * big * h) + (8 * s * h) + (s * config.IntermediateSize) + (s * big),
            ParallelMode.MegatronTensor => (4 * big * h) + (7 * big * w) + (big * columns) + (big * big),
            _ => (3 * big * h) + (2 * s * h) + (7 * big * w) + (big * columns) + (big * big),
        };
        var cache = config.IsDecoder ? 2L * config.Layers * big * w * sizeof(float) : 0;
        return new MemoryEstimate(WeightBytes(config, heads, columns, options), activations * sizeof(float), cache, options.RuntimeOverheadBytes);
    }
}
