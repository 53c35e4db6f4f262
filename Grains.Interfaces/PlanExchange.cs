namespace Galaxy.Grains;

/// <summary>How a plan's collectives move chunks, on the wire (mirrors the kernels' <c>CollectiveAlgorithm</c>).</summary>
[GenerateSerializer, Alias("galaxy.plan-exchange")]
public enum PlanExchange
{
    /// <summary>Around a ring: N − 1 steps per collective.</summary>
    Ring,

    /// <summary>Each chunk straight to the device that needs it: one step per collective.</summary>
    Direct,
}
