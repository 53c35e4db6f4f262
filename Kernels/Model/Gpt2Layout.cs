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

        var qkv = Assembly(hidden, 3 * width);
        Conv1DColumnsInto(fused + ".weight", hidden, 3 * hidden, start, width, qkv, 3 * width, 0);
        Conv1DColumnsInto(fused + ".weight", hidden, 3 * hidden, hidden + start, width, qkv, 3 * width, width);
        Conv1DColumnsInto(fused + ".weight", hidden, 3 * hidden, (2 * hidden) + start, width, qkv, 3 * width, 2 * width);
        var queryKeyValue = PackOrNull(qkv, hidden, 3 * width);
        float[] qkvBias = [
            .. VectorSlice(fused + ".bias", 3 * hidden, start, width),
            .. VectorSlice(fused + ".bias", 3 * hidden, hidden + start, width),
            .. VectorSlice(fused + ".bias", 3 * hidden, (2 * hidden) + start, width)];
        var output = Assembly(width, hidden);
        Conv1DRowsInto(p + "attn.c_proj.weight", hidden, hidden, start, width, output);
        var outputWeight = PackOrNull(output, width, hidden);
        var up = Assembly(hidden, slice.ColumnCount);
        Conv1DColumnsInto(p + "mlp.c_fc.weight", hidden, intermediate, slice.ColumnStart, slice.ColumnCount, up, slice.ColumnCount, 0);
        var upWeight = PackOrNull(up, hidden, slice.ColumnCount);
        var down = Assembly(slice.ColumnCount, hidden);
        Conv1DRowsInto(p + "mlp.c_proj.weight", intermediate, hidden, slice.ColumnStart, slice.ColumnCount, down);
        var downWeight = PackOrNull(down, slice.ColumnCount, hidden);
        var attentionNorm = Norm(p + "ln_1");
        var mlpNorm = Norm(p + "ln_2");
        return new LayerWeights
        {
            Slice = slice,
            QueryKeyValue = queryKeyValue,
            QueryKeyValueBias = qkvBias,
            Output = outputWeight,
            OutputBias = Whole(p + "attn.c_proj.bias", hidden),
            AttentionNormGamma = attentionNorm.Gamma,
            AttentionNormBeta = attentionNorm.Beta,
            Up = upWeight,
            UpBias = VectorSlice(p + "mlp.c_fc.bias", intermediate, slice.ColumnStart, slice.ColumnCount),
            Down = downWeight,
            DownBias = Whole(p + "mlp.c_proj.bias", hidden),
            MlpNormGamma = mlpNorm.Gamma,
            MlpNormBeta = mlpNorm.Beta,
        };
    }

    public override NormWeights? LoadFinalNorm() => Norm(Prefix + "ln_f");
}
