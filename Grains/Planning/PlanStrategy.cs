namespace Galaxy.Grains.Planning;

/// <summary>What the planner plans: Galaxy's own plan, or one of the baselines the evaluation compares it with. All run through the same executor.</summary>
public enum PlanStrategy
{
    /// <summary>Hybrid TP + SP with shares sized to speed and memory, the fastest device subset (Galaxy).</summary>
    Galaxy,

    /// <summary>The fastest single device that holds the model.</summary>
    Local,

    /// <summary>Megatron tensor parallelism, heads and columns split evenly over all the devices given.</summary>
    UniformMegatron,

    /// <summary>Megatron tensor parallelism with shares sized to speed and memory over the fastest subset.</summary>
    PlannedMegatron,

    /// <summary>Sequence parallelism over all devices given: each holds every weight, rows in proportion to speed.</summary>
    Sequence,

    /// <summary>Galaxy's hybrid parallelism split evenly over all the devices given (the uniform ablation).</summary>
    UniformHybrid,
}
