using System.Globalization;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// Reads Linux pressure-stall information for the CPU: the total time during which at least one
/// runnable task was waiting for a processor. Its growth over a batch tells whether the batch had
/// to share the cores with another process (this machine's two cores are shared with other builds).
/// </summary>
public static class CpuPressure
{
    private const string PressureFile = "/proc/pressure/cpu";

    /// <summary>True when the kernel exposes CPU pressure here (Linux 4.20+ with PSI on).</summary>
    public static bool IsAvailable { get; } = TryReadStalled(out _);

    /// <summary>The closing line of a comparison: how many kept batches were still contended, or that this could not be seen.</summary>
    public static string DescribeContention(int contendedBatches, int batches) => IsAvailable
        ? string.Create(CultureInfo.InvariantCulture, $"batches still contended by other processes after retries: {contendedBatches} of {batches}")
        : "CPU pressure is not readable here: batches contended by other processes were not detected";

    /// <summary>Total stalled time since boot, or zero where <see cref="IsAvailable"/> is false.</summary>
    public static TimeSpan Stalled() => TryReadStalled(out var stalled) ? stalled : TimeSpan.Zero;

    private static bool TryReadStalled(out TimeSpan stalled)
    {
        stalled = TimeSpan.Zero;
        try
        {
            // First line: "some avg10=0.00 avg60=0.00 avg300=0.00 total=<microseconds>".
            using var reader = new StreamReader(PressureFile);
            var line = reader.ReadLine();
            var at = line?.IndexOf("total=", StringComparison.Ordinal) ?? -1;
            if (at < 0 || !long.TryParse(line.AsSpan(at + "total=".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds))
            {
                return false;
            }

            stalled = TimeSpan.FromMicroseconds(microseconds);
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
