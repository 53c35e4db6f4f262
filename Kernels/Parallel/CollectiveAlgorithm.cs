namespace Galaxy.Kernels.Parallel;

/// <summary>How a plan's collectives move their chunks between devices.</summary>
public enum CollectiveAlgorithm
{
    /// <summary><see cref="Ring"/>: N − 1 steps per collective, each device talking only to its ring neighbours.</summary>
    Ring,

    /// <summary><see cref="Direct"/>: one step per collective, each device sending each chunk straight to the device that needs it (same bytes per device).</summary>
    Direct,
}
