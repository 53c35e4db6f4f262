using Galaxy.Grains.Profiling;

namespace Galaxy.Grains.Tests;

/// <summary>
/// Measuring a live test cluster the way a prediction is meant: after the JIT is done (<see cref="JitWarmUp"/>), and
/// while other processes (other test assemblies run beside this one) leave this machine's cores alone.
/// </summary>
internal static class SteadyState
{
    /// <summary>Other processes' mean cores below which a window counts as quiet.</summary>
    public const double QuietCores = 0.25;

    /// <summary>
    /// Runs <paramref name="request"/> in batches until the JIT is done (<see cref="JitWarmUp"/>), at least
    /// <paramref name="minimum"/> times. Returns how many requests ran.
    /// </summary>
    public static async Task<int> WarmUpAsync(Func<Task> request, int minimum = 10)
    {
        ArgumentNullException.ThrowIfNull(request);
        var jit = new JitWarmUp();
        var ran = 0;
        while (true)
        {
            for (var i = 0; i < JitWarmUp.Batch; i++)
            {
                await request().ConfigureAwait(false);
            }

            ran += JitWarmUp.Batch;
            if ((await jit.BatchSettledAsync().ConfigureAwait(false) && ran >= minimum) || ran >= JitWarmUp.MaxRuns)
            {
                return ran;
            }
        }
    }

    /// <summary>
    /// Warms up (<see cref="WarmUpAsync"/>), then runs windows of <paramref name="count"/> requests until one ran after
    /// other processes had left the cores alone (below <see cref="QuietCores"/>) for <paramref name="settle"/>, counted
    /// from the warm-up's end if it was quiet too, and after the coordinator's <paramref name="predicted"/> latency had
    /// stayed the same for as long: the coordinator calibrates its speeds from drifting runs at most every 10 s (the
    /// first time 10 s after its first run), and a calibration made from the warm-up's or a busy stretch's runs is
    /// corrected only at the next refresh, which may re-plan and need another. So a prediction is judged once the
    /// calibration stopped moving under the conditions it is judged in, not the JIT's or a neighbour's. After each busy
    /// window it pauses a second. After <paramref name="patience"/> it returns the quietest window it saw.
    /// </summary>
    public static async Task<QuietWindow<T>> MeasureAsync<T>(Func<Task<T>> request, Func<T, double> predicted, int count, TimeSpan settle, TimeSpan patience)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(predicted);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var warmUpLoad = OtherProcessesLoad.Start();
        var warmUps = await WarmUpAsync(request).ConfigureAwait(false);
        long? quietSince = (warmUpLoad?.CoresUsedByOthers() ?? 0) < QuietCores ? System.Diagnostics.Stopwatch.GetTimestamp() : null;
        var prediction = double.NaN;
        var predictionSince = System.Diagnostics.Stopwatch.GetTimestamp();
        QuietWindow<T>? quietest = null;
        for (var window = 1; ; window++)
        {
            var windowStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var load = OtherProcessesLoad.Start();
            var runs = new List<T>(count);
            for (var i = 0; i < count; i++)
            {
                var run = await request().ConfigureAwait(false);
                runs.Add(run);
                if (predicted(run) is var latest && latest != prediction)
                {
                    (prediction, predictionSince) = (latest, System.Diagnostics.Stopwatch.GetTimestamp());
                }
            }

            var others = load?.CoresUsedByOthers() ?? 0;
            if (quietest is null || others <= quietest.OthersCores)
            {
                quietest = new QuietWindow<T>(runs, others, window, warmUps);
            }

            quietSince = others < QuietCores ? quietSince ?? windowStarted : null;
            if (quietSince is { } since && System.Diagnostics.Stopwatch.GetElapsedTime(since) >= settle
                && System.Diagnostics.Stopwatch.GetElapsedTime(predictionSince) >= settle)
            {
                return new QuietWindow<T>(runs, others, window, warmUps);
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > patience)
            {
                return quietest with { Windows = window };
            }

            if (quietSince is null)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A window of requests measured by <see cref="SteadyState.MeasureAsync"/>.</summary>
/// <param name="Runs">The requests' results, in order.</param>
/// <param name="OthersCores">Mean cores other processes used while they ran.</param>
/// <param name="Windows">How many windows were measured to find it.</param>
/// <param name="WarmUps">How many requests warmed up before the first window.</param>
internal sealed record QuietWindow<T>(IReadOnlyList<T> Runs, double OthersCores, int Windows, int WarmUps);
