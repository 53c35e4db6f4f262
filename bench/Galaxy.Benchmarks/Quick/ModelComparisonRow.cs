namespace Galaxy.Benchmarks.Quick;

/// <summary>One line of the model report: Galaxy against the anchor for one model, sequence length and thread count.</summary>
/// <param name="Model">Model name, e.g. <c>all-MiniLM-L6-v2</c>.</param>
/// <param name="Sequence">Tokens in the (single) sequence.</param>
/// <param name="Threads">Compute threads on each side, the caller included.</param>
/// <param name="GalaxyMilliseconds">Median time of one Galaxy forward, token ids to last hidden state.</param>
/// <param name="Anchor">Name of the anchor implementation.</param>
/// <param name="AnchorMilliseconds">Median time of one anchor run.</param>
public sealed record ModelComparisonRow(string Model, int Sequence, int Threads, double GalaxyMilliseconds, string Anchor, double AnchorMilliseconds)
{
    /// <summary>Galaxy time over anchor time: below 1 means Galaxy is faster (the inverse of the ops report's ratio).</summary>
    public double Ratio => GalaxyMilliseconds / AnchorMilliseconds;
}
