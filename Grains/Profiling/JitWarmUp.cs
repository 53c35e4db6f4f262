namespace Galaxy.Grains.Profiling;

/// <summary>
/// Warm-up until the JIT is done, for measurements of a silo that has been serving a while. Tiered compilation
/// promotes a method after 30 calls and recompiles it on a background thread, so methods a request calls once (the
/// control plane) stay at tier 0 for ~30 requests, and their recompilation competes with the devices for the cores.
/// Run requests in batches of <see cref="Batch"/>; after each, <see cref="BatchSettledAsync"/> pauses and says whether
/// the batch and the pause compiled no method in this process; stop there, or after <see cref="MaxRuns"/>.
/// </summary>
public sealed class JitWarmUp
{
    /// <summary>Requests per batch.</summary>
    public const int Batch = 5;

    /// <summary>The most warm-up requests: a trickle of methods may keep compiling for long (MiniLM on three silos reaches it).</summary>
    public const int MaxRuns = 120;

    /// <summary>The pause after a batch, in which the background compiler catches up.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(300);

    private long _compiled = System.Runtime.JitInfo.GetCompiledMethodCount();

    /// <summary>Pauses, then returns true when no method was compiled since the last call (or since this was made).</summary>
    public async Task<bool> BatchSettledAsync(CancellationToken cancellationToken = default)
    {
        await Task.Delay(Pause, cancellationToken).ConfigureAwait(false);
        var now = System.Runtime.JitInfo.GetCompiledMethodCount();
        var settled = now == _compiled;
        _compiled = now;
        return settled;
    }
}
