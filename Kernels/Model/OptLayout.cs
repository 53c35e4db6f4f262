using Galaxy.Kernels.IO;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Model;

/// <summary>OPT checkpoints (<c>model.decoder.</c> in OPTForCausalLM, <c>decoder.</c> in OPTModel).</summary>
internal sealed class OptLayout(ModelConfig config, ITensorSource source, string prefix) : ModelLayout(config, source, prefix)
{
    public override EmbeddingTables LoadEmbeddings()
    {
        var hidden = Config.HiddenSize;
        return new EmbeddingTables(
            hidden,
            Whole(Prefix + "embed_tokens.weight", Config.VocabularySize, hidden),
            Whole(Prefix + "embed_positions.weight", Config.MaxPositions + Config.PositionOffset, hidden));
    }

    public override LayerWeights LoadLayer(int layer, LayerSlice slice)
    {
        var p = $"{Prefix}layers.{layer}.";
        return LinearLayer(slice, new LinearLayerNames(
            p + "self_attn.q_proj",
            p + "self_attn.k_proj",
            p + "self_attn.v_proj",
            p + "self_attn.out_proj",
            p + "self_attn_layer_norm",
            p + "fc1",
            p + "fc2",
            p + "final_layer_norm"));
    }

    public override NormWeights? LoadFinalNorm() => Norm(Prefix + "final_layer_norm");
}
