using System.Diagnostics;
using System.Globalization;

namespace Galaxy.Grains.Profiling;

/// <summary>
/// How many cores other processes kept busy over an interval: the machine's busy time (Linux <c>/proc/stat</c>)
/// minus this process's CPU time, over the wall time. CPU pressure (<c>/proc/pressure/cpu</c>) cannot tell this
/// here, because N simulated devices on two cores make this process contend with itself.
/// </summary>
public sealed class OtherProcessesLoad
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly long _startTimestamp;
    private readonly double _startMachineBusySeconds;
    private readonly TimeSpan _startOwnCpu;

    private OtherProcessesLoad(double machineBusySeconds)
    {
        _startTimestamp = Stopwatch.GetTimestamp();
        _startMachineBusySeconds = machineBusySeconds;
        _startOwnCpu = Environment.CpuUsage.TotalTime;
    }

    /// <summary>Starts measuring, or returns null where <c>/proc/stat</c> is not readable.</summary>
    public static OtherProcessesLoad? Start() => TryReadMachineBusySeconds(out var busy) ? new OtherProcessesLoad(busy) : null;

    /// <summary>Mean cores other processes used since <see cref="Start"/> (0 … cores; /proc/stat counts in 10 ms ticks).</summary>
    public double CoresUsedByOthers()
    {
        var wall = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        if (wall <= 0 || !TryReadMachineBusySeconds(out var busy))
        {
            return 0;
        }

        var own = (Environment.CpuUsage.TotalTime - _startOwnCpu).TotalSeconds;
        return Math.Max(0, (busy - _startMachineBusySeconds - own) / wall);
    }

    private static bool TryReadMachineBusySeconds(out double seconds)
    {
        seconds = 0;
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in ticks.
            using var reader = new StreamReader("/proc/stat");
            var fields = reader.ReadLine()?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is null || fields.Length < 8 || fields[0] != "cpu")
            {
                return false;
            }

            long busy = 0;
            for (var i = 1; i <= 8 && i < fields.Length; i++)
            {
                if (i is 4 or 5)
                {
                    continue; // idle, iowait
                }

                busy += long.Parse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture);
            }

            seconds = busy / TicksPerSecond;
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
