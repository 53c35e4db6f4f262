namespace Galaxy.Grains.Planning;

/// <summary>What one device needs for a plan, in bytes (<see cref="MemoryModel"/> gives the formulas).</summary>
/// <param name="Weights">Its weight slices over all layers plus the whole tables every device keeps (embeddings, norms, pooler).</param>
/// <param name="Activations">The request's activation buffers at the planned sequence length.</param>
/// <param name="KeyValueCache">Keys and values of its heads for every layer at the sequence length (decoders; 0 for encoders).</param>
/// <param name="Runtime">The fixed runtime overhead.</param>
public readonly record struct MemoryEstimate(long Weights, long Activations, long KeyValueCache, long Runtime)
{
    /// <summary>The sum of the four.</summary>
    public long Total => Weights + Activations + KeyValueCache + Runtime;
}
