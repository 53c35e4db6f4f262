namespace Galaxy.Kernels.Parallel;

/// <summary>Which collective of a layer a tile belongs to (a layer runs up to four).</summary>
public enum CollectivePhase
{
    /// <summary>AllGather of the rows before attention (hybrid).</summary>
    AttentionGather,

    /// <summary>ReduceScatter of the attention output's partial sums (hybrid), or the AllReduce after attention (Megatron).</summary>
    AttentionReduce,

    /// <summary>AllGather of the rows before the MLP.</summary>
    MlpGather,

    /// <summary>ReduceScatter of the MLP output's partial sums (hybrid), or the AllReduce after the MLP (Megatron).</summary>
    MlpReduce,

    /// <summary>AllGather of keys (sequence parallelism).</summary>
    KeyGather,

    /// <summary>AllGather of values (sequence parallelism).</summary>
    ValueGather,

    /// <summary>The output head's traffic after the last layer (mean pooling's partial sums to the owner of row 0), keyed with the last layer.</summary>
    Output,

    /// <summary>Link measurement traffic.</summary>
    Probe,
}
