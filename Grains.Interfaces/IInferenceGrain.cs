namespace Galaxy.Grains;

/// <summary>
/// The coordinator of one model: validates and tokenizes input, plans each request over the devices currently in
/// the cluster (shares proportional to their measured profiles), runs it on their shard grains in parallel and
/// assembles the result; when devices fail during a request it re-plans on the survivors and runs it again, so the
/// caller gets the answer. Key: the model id (e.g. "minilm").
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

    /// <summary>
    /// <see cref="EmbedAsync(IReadOnlyList{string})"/>, publishing a <see cref="LayerProgress"/> per device and layer to
    /// the stream <see cref="GalaxyStreams.Progress"/>(<paramref name="progressStream"/>) of provider
    /// <see cref="GalaxyStreams.ProviderName"/>; subscribe before calling.
    /// </summary>
    [Alias("embed-progress")]
    Task<EmbedResult> EmbedAsync(IReadOnlyList<string> texts, Guid progressStream);

    /// <summary><see cref="InferAsync(int[])"/>, publishing progress as <see cref="EmbedAsync(IReadOnlyList{string}, Guid)"/> does.</summary>
    [Alias("infer-progress")]
    Task<InferResult> InferAsync(int[] tokenIds, Guid progressStream);

    /// <summary>
    /// The live devices with their profiles and loaded slices, the links measured, and where this coordinator runs (any
    /// model id works as the key). The coordinator's silo reads the membership table first (at most 2 s), so a device
    /// that joined or left shows even when gossip has not reached that silo.
    /// </summary>
    [Alias("status")]
    Task<ClusterStatus> GetStatusAsync();

    /// <summary>The token ids the model's tokenizer gives <paramref name="text"/> (special tokens included), as InferAsync takes them.</summary>
    /// <exception cref="ArgumentException">An empty text, a text longer than the model's positions, or an unknown model.</exception>
    [Alias("tokenize")]
    Task<int[]> TokenizeAsync(string text);

    /// <summary>The devices currently in the cluster, sorted by name, after the coordinator's silo read the membership table (at most 2 s).</summary>
    [Alias("devices")]
    Task<IReadOnlyList<string>> GetDevicesAsync();
}
