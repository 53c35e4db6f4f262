namespace Galaxy.Benchmarks.Quick;

/// <summary>Median seconds per product for each side, measured interleaved in one process.</summary>
/// <param name="GalaxySeconds">Median over Galaxy's batches of the time per product.</param>
/// <param name="AnchorSeconds">Median over the anchor's batches of the time per product.</param>
/// <param name="GalaxyRepetitions">Products per Galaxy batch.</param>
/// <param name="AnchorRepetitions">Products per anchor batch.</param>
/// <param name="GalaxyContended">Galaxy batches kept although another process competed for the CPU.</param>
/// <param name="AnchorContended">The same for the anchor.</param>
/// <param name="Samples">Batches kept per side.</param>
public readonly record struct PairedTiming(
    double GalaxySeconds,
    double AnchorSeconds,
    int GalaxyRepetitions,
    int AnchorRepetitions,
    int GalaxyContended,
    int AnchorContended,
    int Samples);
