using Galaxy.Kernels.IO;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Model;

/// <summary>GPT-2 checkpoints: Conv1D weights stored (in, out), Q, K and V fused in <c>attn.c_attn</c>.</summary>
internal sealed class Gpt2Layout(ModelConfig config, ITensorSource source, string prefix) : ModelLayout(config, source, prefix)
{
    public override EmbeddingTables LoadEmbeddings()
    {
        var hidden = Config.HiddenSize;
        return new EmbeddingTables(
            hidden,
            Whole(Prefix + "wte.weight", Config.VocabularySize, hidden),
            Whole(Prefix + "wpe.weight", Config.MaxPositions, hidden));
    }

    public override LayerWeights LoadLayer(int layer, LayerSlice slice)
    {
        slice.Validate(Config);
        var p = $"{Prefix}h.{layer}.";
        var hidden = Config.HiddenSize;
        var intermediate = Config.IntermediateSize;
        var start = slice.HeadStart * Config.HeadDim;
        var width = slice.HeadCount * Config.HeadDim;
        var fused = p + "attn.c_attn";

        var qkv = MatrixLayout.ConcatenateColumns(
            hidden,
            Conv1DColumns(fused + ".weight", hidden, 3 * hidden, start, width),
            Conv1DColumns(fused + ".weight", hidden, 3 * hidden, hidden + start, width),
            Conv1DColumns(fused + ".weight", hidden, 3 * hidden, (2 * hidden) + start, width));
        float[] qkvBias = [
            .. VectorSlice(fused + ".bias", 3 * hidden, start, width),
            .. VectorSlice(fused + ".bias", 3 * hidden, hidden + start, width),
            .. VectorSlice(fused + ".bias", 3 * hidden, (2 * hidden) + start, width)];
        var attentionNorm = Norm(p + "ln_1");
        var mlpNorm = Norm(p + "ln_2");
        return new LayerWeights
        {
            Slice = slice,
            QueryKeyValue = PackOrNull(qkv, hidden, 3 * width),
            QueryKeyValueBias = qkvBias,
            Output = PackOrNull(Conv1DRows(p + "attn.c_proj.weight", hidden, hidden, start, width), width, hidden),
            OutputBias = Whole(p + "attn.c_proj.bias", hidden),
            AttentionNormGamma = attentionNorm.Gamma,
            AttentionNormBeta = attentionNorm.Beta,
            Up = PackOrNull(Conv1DColumns(p + "mlp.c_fc.weight", hidden, intermediate, slice.ColumnStart, slice.ColumnCount), hidden, slice.ColumnCount),
            UpBias = VectorSlice(p + "mlp.c_fc.bias", intermediate, slice.ColumnStart, slice.ColumnCount),
            Down = PackOrNull(Conv1DRows(p + "mlp.c_proj.weight", intermediate, hidden, slice.ColumnStart, slice.ColumnCount), slice.ColumnCount, hidden),
            DownBias = Whole(p + "mlp.c_proj.bias", hidden),
            MlpNormGamma = mlpNorm.Gamma,
            MlpNormBeta = mlpNorm.Beta,
        };
    }

    public override NormWeights? LoadFinalNorm() => Norm(Prefix + "ln_f");
}
