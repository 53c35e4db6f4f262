namespace Galaxy.Grains.Planning;

/// <summary>A device's speed on attention (softmax(Q Kᵀ / √d) V, 4 · S² · H FLOP over all heads) at one sequence length.</summary>
/// <param name="SequenceLength">S, queries = keys.</param>
/// <param name="FlopsPerSecond">Measured rate, &gt; 0.</param>
public readonly record struct AttentionRate(int SequenceLength, double FlopsPerSecond);
