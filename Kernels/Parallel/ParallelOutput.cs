namespace Galaxy.Kernels.Parallel;

/// <summary>
/// What a request returns and which devices compute it (DESIGN.md §3: the final LayerNorm, pooler and LM head
/// follow the plan). Token-wise outputs are sequence parallel: each device computes its own rows. A single-vector
/// output is computed by one device, <see cref="ParallelPlan.OutputDevice"/>; the others return nothing.
/// </summary>
public enum ParallelOutput
{
    /// <summary>The last hidden state (S, H), after the final LayerNorm for decoders: each device its own rows.</summary>
    HiddenStates,

    /// <summary>
    /// The sentence embedding (H): the mean of the unmasked rows, L2-normalised (sentence-transformers,
    /// <c>Encoder.MeanPool</c>). Each device sums its own unmasked rows; the sums and counts (H + 1 floats, fp32 at
    /// any link precision) go to the owner of row 0, which adds them in rank order, divides and normalises.
    /// </summary>
    MeanPooled,

    /// <summary>BERT's pooled output <c>tanh(h_[CLS] · W + b)</c> (H), on the owner of row 0 (which holds [CLS]); needs a checkpoint with a pooler.</summary>
    Pooler,

    /// <summary>Decoders: logits of every row with the tied LM head, <c>h · Eᵀ</c> (S, V): each device its own rows.</summary>
    TokenLogits,

    /// <summary>Decoders: next-token logits (V), from the last row, on the owner of row S − 1.</summary>
    NextTokenLogits,
}
