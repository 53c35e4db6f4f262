namespace Galaxy.Grains;

/// <summary>
/// A device's measured speed on attention over a whole sequence of a model: softmax(Q Kᵀ / √d) V for all
/// <paramref name="Heads"/> heads, 4 · S² · Heads · HeadDim FLOP (the two matrix products).
/// </summary>
/// <param name="SequenceLength">S (queries = keys).</param>
/// <param name="Heads">Heads in the measurement (the model's).</param>
/// <param name="HeadDim">d.</param>
/// <param name="FlopsPerSecond">Median over the timed repetitions.</param>
[GenerateSerializer, Immutable, Alias("galaxy.attention-throughput")]
public sealed record AttentionThroughput(
    [property: Id(0)] int SequenceLength,
    [property: Id(1)] int Heads,
    [property: Id(2)] int HeadDim,
    [property: Id(3)] double FlopsPerSecond)
{
    /// <summary>4 · S² · heads · d.</summary>
    public double Flops => 4.0 * SequenceLength * SequenceLength * Heads * HeadDim;
}
