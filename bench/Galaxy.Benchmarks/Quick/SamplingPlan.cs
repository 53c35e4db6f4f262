namespace Galaxy.Benchmarks.Quick;

/// <summary>How long and how often each side of a comparison is measured.</summary>
/// <param name="Samples">Timed batches per side.</param>
/// <param name="BatchTarget">Wall time one batch aims for; repetitions per batch are chosen to fit it.</param>
/// <param name="WarmUp">Time per side spent running, alternately, before any sample is kept.</param>
/// <param name="SettleLimit">Longest wait between batches for the other side's spinning threads to stop.</param>
public sealed record SamplingPlan(int Samples, TimeSpan BatchTarget, TimeSpan WarmUp, TimeSpan SettleLimit)
{
    /// <summary>21 batches of ~15 ms per side: the whole default suite in well under a minute.</summary>
    public static SamplingPlan Quick { get; } = new(21, TimeSpan.FromMilliseconds(15), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(200));

    /// <summary>61 batches of ~20 ms per side, for a steadier median.</summary>
    public static SamplingPlan Thorough { get; } = new(61, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(200));
}
