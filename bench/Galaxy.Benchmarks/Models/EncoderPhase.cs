namespace Galaxy.Benchmarks.Models;

/// <summary>The steps of one encoder forward that <see cref="EncoderPhaseProfiler"/> times separately.</summary>
public enum EncoderPhase
{
    /// <summary>The forward's activation buffers and result: <c>new float[…]</c> (zeroing, and any GC it triggers).</summary>
    Allocation,

    /// <summary>Token + type + position rows gathered into X.</summary>
    Embedding,

    /// <summary>X (S,H) · [W_q | W_k | W_v] (H,3H) + b.</summary>
    QueryKeyValueGemm,

    /// <summary>Copying [Q | K | V] rows into separate Q, K, V buffers.</summary>
    QueryKeyValueSplit,

    /// <summary>softmax(Q Kᵀ / √d) V over all heads.</summary>
    Attention,

    /// <summary>Attended (S,H) · W_O (H,H) + b.</summary>
    OutputGemm,

    /// <summary>X (S,H) · W₁ (H,4H) + b.</summary>
    UpGemm,

    /// <summary>GELU (erf) over the (S,4H) MLP activations.</summary>
    Gelu,

    /// <summary>GELU output (S,4H) · W₂ (4H,H) + b.</summary>
    DownGemm,

    /// <summary>X + projection, twice per layer.</summary>
    Residual,

    /// <summary>LayerNorm after the embeddings and twice per layer.</summary>
    LayerNorm,
}
