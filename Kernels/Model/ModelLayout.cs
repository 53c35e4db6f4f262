using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Model;

/// <summary>
/// Where a model family keeps each weight in a Hugging Face checkpoint, and how to read a device's slice
/// of it. Every read is checked against the shape the config implies, so a config that contradicts the
/// weights fails naming the tensor and both shapes.
/// </summary>
internal abstract class ModelLayout
{
    private readonly LoadScratch _scratch = new();

    protected ModelLayout(ModelConfig config, ITensorSource source, string prefix)
    {
        Config = config;
        Source = source;
        Prefix = prefix;
    }

    protected ModelConfig Config { get; }

    protected ITensorSource Source { get; }

    /// <summary>The checkpoint's name prefix, e.g. <c>bert.</c> for BertForMaskedLM.</summary>
    protected string Prefix { get; }

    public static ModelLayout For(ModelConfig config, ITensorSource source)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        return config.Architecture switch
        {
            ModelArchitecture.Bert => new BertLayout(config, source, PrefixOf(source, "embeddings.word_embeddings.weight", "", "bert.")),
            ModelArchitecture.DistilBert => new DistilBertLayout(config, source, PrefixOf(source, "embeddings.word_embeddings.weight", "", "distilbert.")),
            ModelArchitecture.Gpt2 => new Gpt2Layout(config, source, PrefixOf(source, "wte.weight", "", "transformer.")),
            _ => new OptLayout(config, source, PrefixOf(source, "embed_tokens.weight", "model.decoder.", "decoder.", "")),
        };
    }

    public abstract EmbeddingTables LoadEmbeddings();

    /// <summary>The LayerNorm right after the embeddings (encoders), else null.</summary>
    public virtual NormWeights? LoadEmbeddingNorm() => null;

    public abstract LayerWeights LoadLayer(int layer, LayerSlice slice);

    /// <summary>The LayerNorm after the last layer (pre-LN decoders), else null.</summary>
    public virtual NormWeights? LoadFinalNorm() => null;

    /// <summary>BERT's pooler (dense + tanh on [CLS]) when the checkpoint has one, else null.</summary>
    public virtual PoolerWeights? LoadPooler() => null;

    protected static string PrefixOf(ITensorSource source, string probe, params string[] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (source.TryGetInfo(prefix + probe, out _))
            {
                return prefix;
            }
        }

        throw new InvalidDataException(
            $"The weights have no '{probe}' under any of the prefixes {string.Join(", ", prefixes.Select(p => $"'{p}'"))}; they do not look like this model type (first tensors: {string.Join(", ", source.Names.Take(5))}).");
    }

    /// <summary>Checks <paramref name="name"/> exists with exactly <paramref name="shape"/>.</summary>
    protected TensorInfo Expect(string name, params int[] shape)
    {
        if (!Source.TryGetInfo(name, out var info))
        {
            throw new InvalidDataException($"The {Config.Architecture} model needs tensor '{name}', which the weights do not have.");
        }

        if (!info.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException(
                $"Tensor '{name}' has shape {info.ShapeText} but config.json ({Config.Architecture}, hidden {Config.HiddenSize}, heads {Config.Heads}, intermediate {Config.IntermediateSize}, vocab {Config.VocabularySize}, positions {Config.MaxPositions}) implies [{string.Join(", ", shape)}].");
        }

        return info;
    }

    protected float[] Whole(string name, params int[] shape)
    {
        var info = Expect(name, shape);
        var values = new float[info.ElementCount];
        Source.Read(name, values);
        return values;
    }

    /// <summary>Elements <c>[start, start + count)</c> of a 1-D tensor of <paramref name="length"/>.</summary>
    protected float[] VectorSlice(string name, int length, int start, int count)
    {
        Expect(name, length);
        var values = new float[count];
        Source.ReadRows(name, start, count, values);
        return values;
    }

    /// <summary>NormWeights named <c>{name}.weight</c> / <c>{name}.bias</c> (older BERT checkpoints: <c>gamma</c> / <c>beta</c>).</summary>
    protected NormWeights Norm(string name)
    {
        var hidden = Config.HiddenSize;
        return Source.TryGetInfo(name + ".gamma", out _) && !Source.TryGetInfo(name + ".weight", out _)
            ? new NormWeights(Whole(name + ".gamma", hidden), Whole(name + ".beta", hidden))
            : new NormWeights(Whole(name + ".weight", hidden), Whole(name + ".bias", hidden));
    }

    /// <summary>
    /// Output features <c>[start, start + count)</c> of a PyTorch Linear weight (out, in), transposed into
    /// <paramref name="destination"/> as GEMM B (in, count) starting at column <paramref name="column"/> of rows <paramref name="stride"/> long.
    /// </summary>
    protected void LinearOutputsInto(string name, int outFeatures, int inFeatures, int start, int count, Span<float> destination, int stride, int column)
    {
        Expect(name, outFeatures, inFeatures);
        var rows = _scratch.Read(count * inFeatures);
        Source.ReadRows(name, start, count, rows);
        MatrixLayout.TransposeInto(rows, count, inFeatures, destination, stride, column);
    }

    /// <summary>Input features <c>[start, start + count)</c> of a PyTorch Linear weight (out, in), as GEMM B (count, out) in <paramref name="destination"/>.</summary>
    protected void LinearInputsInto(string name, int outFeatures, int inFeatures, int start, int count, Span<float> destination)
    {
        Expect(name, outFeatures, inFeatures);
        var columns = _scratch.Read(outFeatures * count);
        Source.ReadColumns(name, start, count, columns);
        MatrixLayout.TransposeInto(columns, outFeatures, count, destination, outFeatures, 0);
    }

    /// <summary>Columns <c>[start, start + count)</c> of a GPT-2 Conv1D weight (in, out) — already GEMM B — into <paramref name="destination"/> at column <paramref name="column"/> of rows <paramref name="stride"/> long.</summary>
    protected void Conv1DColumnsInto(string name, int inFeatures, int outFeatures, int start, int count, Span<float> destination, int stride, int column)
    {
        Expect(name, inFeatures, outFeatures);
        var columns = _scratch.Read(inFeatures * count);
        Source.ReadColumns(name, start, count, columns);
        MatrixLayout.CopyInto(columns, inFeatures, count, destination, stride, column);
    }

    /// <summary>Rows <c>[start, start + count)</c> of a GPT-2 Conv1D weight (in, out): GEMM B (count, out), into <paramref name="destination"/>.</summary>
    protected void Conv1DRowsInto(string name, int inFeatures, int outFeatures, int start, int count, Span<float> destination)
    {
        Expect(name, inFeatures, outFeatures);
        Source.ReadRows(name, start, count, destination[..(count * outFeatures)]);
    }

    /// <summary>A reusable (rows × columns) buffer to assemble one GEMM operand in before it is packed.</summary>
    protected Span<float> Assembly(int rows, int columns) => _scratch.Matrix(rows * columns);

    protected static PackedMatrix? PackOrNull(ReadOnlySpan<float> matrix, int rows, int columns) =>
        rows == 0 || columns == 0 ? null : PackedMatrix.Pack(matrix[..(rows * columns)], rows, columns);

    /// <summary>
    /// A layer of a model whose projections are PyTorch Linear layers (BERT, DistilBERT, OPT), given each
    /// projection's name without <c>.weight</c>/<c>.bias</c>.
    /// </summary>
    protected LayerWeights LinearLayer(LayerSlice slice, LinearLayerNames names)
    {
        slice.Validate(Config);
        var hidden = Config.HiddenSize;
        var intermediate = Config.IntermediateSize;
        var headDim = Config.HeadDim;
        var start = slice.HeadStart * headDim;
        var width = slice.HeadCount * headDim;

        var qkv = Assembly(hidden, 3 * width);
        LinearOutputsInto(names.Query + ".weight", hidden, hidden, start, width, qkv, 3 * width, 0);
        LinearOutputsInto(names.Key + ".weight", hidden, hidden, start, width, qkv, 3 * width, width);
        LinearOutputsInto(names.Value + ".weight", hidden, hidden, start, width, qkv, 3 * width, 2 * width);
        var queryKeyValue = PackOrNull(qkv, hidden, 3 * width);
        float[] qkvBias = [
            .. VectorSlice(names.Query + ".bias", hidden, start, width),
            .. VectorSlice(names.Key + ".bias", hidden, start, width),
            .. VectorSlice(names.Value + ".bias", hidden, start, width)];

        var output = Assembly(width, hidden);
        LinearInputsInto(names.Output + ".weight", hidden, hidden, start, width, output);
        var outputWeight = PackOrNull(output, width, hidden);

        var up = Assembly(hidden, slice.ColumnCount);
        LinearOutputsInto(names.Up + ".weight", intermediate, hidden, slice.ColumnStart, slice.ColumnCount, up, slice.ColumnCount, 0);
        var upWeight = PackOrNull(up, hidden, slice.ColumnCount);

        var down = Assembly(slice.ColumnCount, hidden);
        LinearInputsInto(names.Down + ".weight", hidden, intermediate, slice.ColumnStart, slice.ColumnCount, down);
        var downWeight = PackOrNull(down, slice.ColumnCount, hidden);

        var attentionNorm = Norm(names.AttentionNorm);
        var mlpNorm = Norm(names.MlpNorm);
        return new LayerWeights
        {
            Slice = slice,
            QueryKeyValue = queryKeyValue,
            QueryKeyValueBias = qkvBias,
            Output = outputWeight,
            OutputBias = Whole(names.Output + ".bias", hidden),
            AttentionNormGamma = attentionNorm.Gamma,
            AttentionNormBeta = attentionNorm.Beta,
            Up = upWeight,
            UpBias = VectorSlice(names.Up + ".bias", intermediate, slice.ColumnStart, slice.ColumnCount),
            Down = downWeight,
            DownBias = Whole(names.Down + ".bias", hidden),
            MlpNormGamma = mlpNorm.Gamma,
            MlpNormBeta = mlpNorm.Beta,
        };
    }

    /// <summary>Tensor names (without <c>.weight</c>/<c>.bias</c>) of one Linear-style layer.</summary>
    protected sealed record LinearLayerNames(string Query, string Key, string Value, string Output, string AttentionNorm, string Up, string Down, string MlpNorm);
}
