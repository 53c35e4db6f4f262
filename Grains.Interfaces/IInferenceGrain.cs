namespace Galaxy.Grains;

/// <summary>
/// The coordinator of one model: validates and tokenizes input, plans each request over the devices currently in
/// the cluster, runs it on their shard grains in parallel and assembles the result. Key: the model id (e.g. "minilm").
/// </summary>
[Alias("galaxy.IInferenceGrain")]
public interface IInferenceGrain : IGrainWithStringKey
{
    /// <summary>Sentence embeddings (mean-pooled last hidden state, L2-normalised) of <paramref name="texts"/>, each on all devices.</summary>
    /// <exception cref="ArgumentException">No texts, an empty text, a text longer than the model's positions, or an unknown model.</exception>
    [Alias("embed")]
    Task<EmbedResult> EmbedAsync(IReadOnlyList<string> texts);

    /// <summary>Sentence embeddings computed on the first <paramref name="devices"/> devices (sorted by name) only.</summary>
    [Alias("embed-on")]
    Task<EmbedResult> EmbedOnAsync(IReadOnlyList<string> texts, int devices);

    /// <summary>The last hidden state (S, H) of <paramref name="tokenIds"/> across all devices.</summary>
    /// <exception cref="ArgumentException">No tokens, too many tokens, an id outside the vocabulary, or an unknown model.</exception>
    [Alias("infer")]
    Task<InferResult> InferAsync(int[] tokenIds);

    /// <summary>The token ids the model's tokenizer gives <paramref name="text"/> (special tokens included), as InferAsync takes them.</summary>
    /// <exception cref="ArgumentException">An empty text, a text longer than the model's positions, or an unknown model.</exception>
    [Alias("tokenize")]
    Task<int[]> TokenizeAsync(string text);

    /// <summary>The devices currently in the cluster, sorted by name.</summary>
    [Alias("devices")]
    Task<IReadOnlyList<string>> GetDevicesAsync();
}
