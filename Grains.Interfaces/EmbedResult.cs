namespace Galaxy.Grains;

/// <summary>Mean-pooled, L2-normalised sentence embeddings and where each was computed.</summary>
/// <param name="Dimension">Values per embedding (the model's hidden size).</param>
/// <param name="Embeddings">(texts, Dimension), row-major, in the order of the texts.</param>
/// <param name="Texts">Per text: its tokens, per-device timing and wall time.</param>
[GenerateSerializer, Immutable, Alias("galaxy.embed-result")]
public sealed record EmbedResult(
    [property: Id(0)] int Dimension,
    [property: Id(1)] TensorPayload Embeddings,
    [property: Id(2)] IReadOnlyList<TextTiming> Texts)
{
    /// <summary>The embedding of text <paramref name="index"/>.</summary>
    public float[] Embedding(int index) => Embeddings.Values.Slice(index * Dimension, Dimension).ToArray();
}
