namespace Galaxy.Grains;

/// <summary>The parallel scheme of a plan on the wire (mirrors the kernels' <c>ParallelMode</c>).</summary>
[GenerateSerializer, Alias("galaxy.plan-mode")]
public enum PlanMode
{
    /// <summary>Galaxy's hybrid tensor + sequence parallelism.</summary>
    Hybrid,

    /// <summary>Megatron-style tensor parallelism.</summary>
    MegatronTensor,

    /// <summary>Sequence parallelism.</summary>
    Sequence,
}
