using Galaxy.Kernels.IO;
using Galaxy.Kernels.Ops;

namespace Galaxy.Kernels.Model;

/// <summary>
/// A model's weights as Galaxy computes with them: fp32, projections packed for the GEMM, each layer
/// whole or a device's slice of it. Embedding tables are always whole (each device embeds its own rows).
/// </summary>
public sealed class TransformerWeights
{
    public required ModelConfig Config { get; init; }

    /// <summary>Token (V, H), position (P [+ offset], H) and token-type (T, H) tables.</summary>
    public required EmbeddingTables Embeddings { get; init; }

    /// <summary>LayerNorm after the embeddings (encoders), else null.</summary>
    public NormWeights? EmbeddingNorm { get; init; }

    public required LayerWeights[] Layers { get; init; }

    /// <summary>LayerNorm after the last layer (decoders), else null.</summary>
    public NormWeights? FinalNorm { get; init; }

    /// <summary>BERT's pooler when the checkpoint has one.</summary>
    public PoolerWeights? Pooler { get; init; }

    /// <summary>Bytes of fp32 weights held, packed matrices included (padding excluded).</summary>
    public long ByteCount
    {
        get
        {
            long floats = Embeddings.Tokens.Length + Embeddings.Positions.Length + Embeddings.TokenTypes.Length;
            floats += (EmbeddingNorm?.Gamma.Length ?? 0) * 2L + (FinalNorm?.Gamma.Length ?? 0) * 2L;
            floats += Pooler is null ? 0 : ((long)Pooler.Weight.Rows * Pooler.Weight.Columns) + Pooler.Bias.Length;
            foreach (var layer in Layers)
            {
                floats += Size(layer.QueryKeyValue) + Size(layer.Output) + Size(layer.Up) + Size(layer.Down);
                floats += layer.QueryKeyValueBias.Length + layer.OutputBias.Length + layer.UpBias.Length + layer.DownBias.Length;
                floats += 2L * (layer.AttentionNormGamma.Length + layer.MlpNormGamma.Length);
            }

            return floats * sizeof(float);
        }
    }

    /// <summary>Loads every layer whole, or each layer's <paramref name="slice"/> when given.</summary>
    /// <exception cref="InvalidDataException">The weights contradict the config (the message names the tensor and both shapes) or lack a tensor.</exception>
    public static TransformerWeights Load(ModelConfig config, ITensorSource source, Func<int, LayerSlice>? slice = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        config.Validate();
        var layout = ModelLayout.For(config, source);
        var layers = new LayerWeights[config.Layers];
        for (var i = 0; i < layers.Length; i++)
        {
            layers[i] = layout.LoadLayer(i, slice?.Invoke(i) ?? LayerSlice.Whole(config));
        }

        return new TransformerWeights
        {
            Config = config,
            Embeddings = layout.LoadEmbeddings(),
            EmbeddingNorm = layout.LoadEmbeddingNorm(),
            Layers = layers,
            FinalNorm = layout.LoadFinalNorm(),
            Pooler = layout.LoadPooler(),
        };
    }

    private static long Size(Gemm.PackedMatrix? matrix) => matrix is null ? 0 : (long)matrix.Rows * matrix.Columns;
}
