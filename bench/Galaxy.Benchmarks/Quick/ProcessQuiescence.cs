using System.Diagnostics;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Waits for the process's background threads to stop burning CPU.</summary>
/// <remarks>
/// After a batch, the side that just ran may keep its pool threads spinning for work (ORT's default
/// spin lasts tens of milliseconds on this machine). On two cores such a spinner would take a core
/// from the other side's next batch, so between batches the sampler waits until the process is idle.
/// </remarks>
public static class ProcessQuiescence
{
    private const double IdleCpuFraction = 0.1;
    private const int QuietWindowsNeeded = 3;

    /// <summary>
    /// Sleeps in 1 ms windows until <see cref="QuietWindowsNeeded"/> windows in a row used less
    /// than 10% of one core (this thread is asleep, so that is everyone else), or until
    /// <paramref name="limit"/> has passed. Returns the time waited.
    /// </summary>
    public static TimeSpan WaitUntilIdle(TimeSpan limit)
    {
        var start = Stopwatch.GetTimestamp();
        var quietWindows = 0;
        var windowStart = start;
        var cpuAtWindowStart = Environment.CpuUsage.TotalTime;
        while (quietWindows < QuietWindowsNeeded && Stopwatch.GetElapsedTime(start) < limit)
        {
            Thread.Sleep(1);
            var now = Stopwatch.GetTimestamp();
            var cpu = Environment.CpuUsage.TotalTime;
            var busy = (cpu - cpuAtWindowStart) / Stopwatch.GetElapsedTime(windowStart, now);
            quietWindows = busy < IdleCpuFraction ? quietWindows + 1 : 0;
            windowStart = now;
            cpuAtWindowStart = cpu;
        }

        return Stopwatch.GetElapsedTime(start);
    }
}
