using System.Globalization;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Median seconds per run (one product, one op) for each side, measured interleaved in one process.</summary>
/// <param name="GalaxySeconds">Median over Galaxy's batches of the time per run.</param>
/// <param name="AnchorSeconds">Median over the anchor's batches of the time per run.</param>
/// <param name="GalaxyRepetitions">Runs per Galaxy batch.</param>
/// <param name="AnchorRepetitions">Runs per anchor batch.</param>
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
    int Samples)
{
    /// <summary>One progress line: batch sizes and how many kept batches other processes disturbed.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Samples} batches per side of {GalaxyRepetitions} (galaxy) / {AnchorRepetitions} (anchor) runs; contended by other processes: galaxy {GalaxyContended}, anchor {AnchorContended}");
}
