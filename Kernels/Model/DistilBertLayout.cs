using Galaxy.Kernels.IO;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Model;

/// <summary>DistilBERT checkpoints (<c>DistilBertModel</c>, or <c>distilbert.</c>-prefixed heads).</summary>
internal sealed class DistilBertLayout(ModelConfig config, ITensorSource source, string prefix) : ModelLayout(config, source, prefix)
{
    public override EmbeddingTables LoadEmbeddings()
    {
        var hidden = Config.HiddenSize;
        return new EmbeddingTables(
            hidden,
            Whole(Prefix + "embeddings.word_embeddings.weight", Config.VocabularySize, hidden),
            Whole(Prefix + "embeddings.position_embeddings.weight", Config.MaxPositions, hidden));
    }

    public override NormWeights? LoadEmbeddingNorm() => Norm(Prefix + "embeddings.LayerNorm");

    public override LayerWeights LoadLayer(int layer, LayerSlice slice)
    {
        var p = $"{Prefix}transformer.layer.{layer}.";
        return LinearLayer(slice, new LinearLayerNames(
            p + "attention.q_lin",
            p + "attention.k_lin",
            p + "attention.v_lin",
            p + "attention.out_lin",
            p + "sa_layer_norm",
            p + "ffn.lin1",
            p + "ffn.lin2",
            p + "output_layer_norm"));
    }
}
