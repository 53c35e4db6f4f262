namespace Galaxy.Grains;

/// <summary>What a plan's request returns, on the wire (mirrors the kernels' <c>ParallelOutput</c>).</summary>
[GenerateSerializer, Alias("galaxy.plan-output")]
public enum PlanOutput
{
    /// <summary>The last hidden state: each shard its rows.</summary>
    HiddenStates,

    /// <summary>The mean-pooled, L2-normalised sentence embedding, on the owner of row 0.</summary>
    MeanPooled,

    /// <summary>BERT's pooler output, on the owner of row 0.</summary>
    Pooler,

    /// <summary>Decoders: logits of every row, each shard its rows.</summary>
    TokenLogits,

    /// <summary>Decoders: next-token logits, on the owner of the last row.</summary>
    NextTokenLogits,
}
