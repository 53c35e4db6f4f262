namespace Galaxy.Kernels.Parallel;

/// <summary>How a plan splits each layer across devices. Every mode runs through the same executor.</summary>
public enum ParallelMode
{
    /// <summary>Galaxy's hybrid model parallelism: tensor parallelism for attention and MLP, sequence parallelism for the connective blocks, ring ReduceScatter/AllGather between them.</summary>
    Hybrid,

    /// <summary>Megatron-style tensor parallelism: heads and MLP columns split, AllReduce after each block, the connective block repeated on every device.</summary>
    MegatronTensor,

    /// <summary>Sequence parallelism: every device holds all weights and computes its rows; keys and values are all-gathered for attention.</summary>
    Sequence,
}
