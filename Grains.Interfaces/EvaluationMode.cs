namespace Galaxy.Grains;

/// <summary>The schemes the evaluation compares (the Galaxy paper's baselines and ablation), each planned by the planner's strategy.</summary>
[GenerateSerializer, Alias("galaxy.evaluation-mode")]
public enum EvaluationMode
{
    /// <summary>The fastest single device that holds the model.</summary>
    Local,

    /// <summary>Megatron tensor parallelism split evenly over every device (AllReduce, connective block repeated).</summary>
    Megatron,

    /// <summary>Sequence parallelism over every device: each holds every weight and computes its rows.</summary>
    Sequence,

    /// <summary>Galaxy's plan executed without overlapping the collectives with the GEMM tiles (the ablation).</summary>
    GalaxyNoOverlap,

    /// <summary>Galaxy: hybrid parallelism sized to the devices, the fastest subset, tiles overlapped.</summary>
    Galaxy,
}
