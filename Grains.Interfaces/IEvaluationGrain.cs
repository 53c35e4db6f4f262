namespace Galaxy.Grains;

/// <summary>
/// The evaluation's coordinator of one model: runs a request in a chosen <see cref="EvaluationMode"/> — a baseline or
/// Galaxy itself — planned by the planner's strategy for that mode over every live device, so the evaluation harness
/// compares schemes on the same cluster through the same shards and executor. The product path is
/// <see cref="IInferenceGrain"/>; this grain exists for `galaxy eval` only and keeps no state between requests but the
/// slices its plans have loaded. Key: the model id (e.g. "bert-large").
/// </summary>
[Alias("galaxy.IEvaluationGrain")]
public interface IEvaluationGrain : IGrainWithStringKey
{
    /// <summary>Plans <paramref name="tokenIds"/> in <paramref name="mode"/> on the live devices and runs it, or reports that it does not fit.</summary>
    /// <exception cref="ArgumentException">No tokens, too many, an id outside the vocabulary, an unknown mode or model.</exception>
    /// <exception cref="InvalidOperationException">No device has joined the cluster.</exception>
    [Alias("run")]
    Task<EvaluationRun> RunAsync(int[] tokenIds, EvaluationMode mode);
}
