namespace Galaxy.Benchmarks.Quick;

/// <summary>One line of the report: Galaxy against the anchor for one shape and thread count.</summary>
/// <param name="M">Rows of A and C.</param>
/// <param name="N">Columns of B and C.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="Threads">Compute threads on each side, the caller included.</param>
/// <param name="GalaxyGflops">2·M·N·K / median seconds per product / 10⁹, for Galaxy.</param>
/// <param name="Anchor">Name of the anchor implementation.</param>
/// <param name="AnchorGflops">The same for the anchor.</param>
public sealed record ComparisonRow(int M, int N, int K, int Threads, double GalaxyGflops, string Anchor, double AnchorGflops)
{
    /// <summary>Galaxy's speed over the anchor's: above 1 means Galaxy is faster.</summary>
    public double Ratio => GalaxyGflops / AnchorGflops;
}
