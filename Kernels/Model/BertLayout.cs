using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Model;

/// <summary>BERT / MiniLM checkpoints (<c>BertModel</c>, or <c>bert.</c>-prefixed heads).</summary>
internal sealed class BertLayout(ModelConfig config, ITensorSource source, string prefix) : ModelLayout(config, source, prefix)
{
    public override EmbeddingTables LoadEmbeddings()
    {
        var hidden = Config.HiddenSize;
        var types = Config.TypeVocabularySize > 0
            ? Whole(Prefix + "embeddings.token_type_embeddings.weight", Config.TypeVocabularySize, hidden)
            : [];
        return new EmbeddingTables(
            hidden,
            Whole(Prefix + "embeddings.word_embeddings.weight", Config.VocabularySize, hidden),
            Whole(Prefix + "embeddings.position_embeddings.weight", Config.MaxPositions, hidden),
            types);
    }

    public override NormWeights? LoadEmbeddingNorm() => Norm(Prefix + "embeddings.LayerNorm");

    public override LayerWeights LoadLayer(int layer, LayerSlice slice)
    {
        var p = $"{Prefix}encoder.layer.{layer}.";
        return LinearLayer(slice, new LinearLayerNames(
            p + "attention.self.query",
            p + "attention.self.key",
            p + "attention.self.value",
            p + "attention.output.dense",
            p + "attention.output.LayerNorm",
            p + "intermediate.dense",
            p + "output.dense",
            p + "output.LayerNorm"));
    }

    public override PoolerWeights? LoadPooler()
    {
        var name = Prefix + "pooler.dense";
        if (!Source.TryGetInfo(name + ".weight", out _))
        {
            return null;
        }

        var hidden = Config.HiddenSize;
        var weight = Assembly(hidden, hidden);
        LinearOutputsInto(name + ".weight", hidden, hidden, 0, hidden, weight, hidden, 0);
        return new PoolerWeights(PackedMatrix.Pack(weight, hidden, hidden), Whole(name + ".bias", hidden));
    }
}
