namespace Galaxy.Benchmarks.Quick;

/// <summary>One line of the ops report: Galaxy against the anchor for one op, shape and thread count.</summary>
/// <param name="Op">Op name, e.g. <c>layernorm</c>.</param>
/// <param name="Shape">The shape as printed, e.g. <c>128x768</c>.</param>
/// <param name="Threads">Compute threads on each side, the caller included.</param>
/// <param name="GalaxyMicroseconds">Median time of one Galaxy call.</param>
/// <param name="Anchor">Name of the anchor implementation.</param>
/// <param name="AnchorMicroseconds">Median time of one anchor run.</param>
public sealed record OpComparisonRow(string Op, string Shape, int Threads, double GalaxyMicroseconds, string Anchor, double AnchorMicroseconds)
{
    /// <summary>Anchor time over Galaxy time: above 1 means Galaxy is faster (as the GEMM report's speed ratio).</summary>
    public double Ratio => AnchorMicroseconds / GalaxyMicroseconds;
}
