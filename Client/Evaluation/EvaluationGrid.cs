using Galaxy.Grains;

namespace Galaxy.Client.Evaluation;

/// <summary>What to run on a setup: models × sequence lengths × bandwidths × modes, each mode <see cref="Runs"/> times after <see cref="Warmup"/> unrecorded runs.</summary>
/// <param name="Models">Model presets (synthetic, paper-sized), e.g. "bert-large".</param>
/// <param name="SequenceLengths">Tokens per request.</param>
/// <param name="Modes">The schemes compared.</param>
/// <param name="Bandwidths">Link rates every device gets in turn (e.g. "100mbit"); empty = each device's own link.</param>
/// <param name="Runs">Recorded runs per cell.</param>
/// <param name="Warmup">Unrecorded runs per cell first (the first loads the plan's slices).</param>
public sealed record EvaluationGrid(
    IReadOnlyList<string> Models,
    IReadOnlyList<int> SequenceLengths,
    IReadOnlyList<EvaluationMode> Modes,
    IReadOnlyList<string> Bandwidths,
    int Runs,
    int Warmup)
{
    /// <summary>The bandwidth labels the grid runs: the given rates, or "setup" (each device's own link).</summary>
    public IReadOnlyList<string> BandwidthLabels => Bandwidths.Count > 0 ? Bandwidths : [SetupLinks];

    /// <summary>The label of "each device keeps the link its setup gives it".</summary>
    public const string SetupLinks = "setup";
}
