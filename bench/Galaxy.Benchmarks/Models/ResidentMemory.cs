using System.Globalization;

namespace Galaxy.Benchmarks.Models;

/// <summary>
/// This process's resident memory as Linux reports it in <c>/proc/self/status</c>: private anonymous pages
/// (<c>RssAnon</c>: heaps, pinned arrays, native allocations), pages of mapped files (<c>RssFile</c>: code, and a
/// memory-mapped weight file while it is open), all resident pages (<c>VmRSS</c>) and their peak (<c>VmHWM</c>).
/// </summary>
/// <param name="Anonymous">RssAnon in bytes.</param>
/// <param name="File">RssFile in bytes.</param>
/// <param name="Resident">VmRSS in bytes.</param>
/// <param name="PeakResident">VmHWM in bytes: the largest VmRSS since start or since <see cref="TryResetPeak"/>.</param>
public readonly record struct ResidentMemory(long Anonymous, long File, long Resident, long PeakResident)
{
    private const string StatusFile = "/proc/self/status";

    /// <summary>True where <c>/proc/self/status</c> has the fields (Linux 4.5 and later).</summary>
    public static bool IsAvailable { get; } = TryRead(out _);

    /// <summary>The current figures.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux, or an older kernel.</exception>
    public static ResidentMemory Read() =>
        TryRead(out var memory) ? memory : throw new PlatformNotSupportedException($"{StatusFile} with RssAnon, RssFile, VmRSS and VmHWM is Linux-only (4.5+).");

    /// <summary>Sets <see cref="PeakResident"/> back to the current resident size (writes 5 to <c>/proc/self/clear_refs</c>); false where that is not allowed.</summary>
    public static bool TryResetPeak()
    {
        try
        {
            System.IO.File.WriteAllText("/proc/self/clear_refs", "5");
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

    private static bool TryRead(out ResidentMemory memory)
    {
        memory = default;
        long anonymous = -1, file = -1, resident = -1, peak = -1;
        try
        {
            foreach (var line in System.IO.File.ReadLines(StatusFile))
            {
                // Lines look like "RssAnon:\t   12345 kB".
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                var key = line.AsSpan(0, colon);
                ref var target = ref anonymous;
                if (key.SequenceEqual("RssAnon"))
                {
                    target = ref anonymous;
                }
                else if (key.SequenceEqual("RssFile"))
                {
                    target = ref file;
                }
                else if (key.SequenceEqual("VmRSS"))
                {
                    target = ref resident;
                }
                else if (key.SequenceEqual("VmHWM"))
                {
                    target = ref peak;
                }
                else
                {
                    continue;
                }

                var value = line.AsSpan(colon + 1).Trim();
                if (!value.EndsWith(" kB", StringComparison.Ordinal)
                    || !long.TryParse(value[..^3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes))
                {
                    return false;
                }

                target = kilobytes * 1024;
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        if (anonymous < 0 || file < 0 || resident < 0 || peak < 0)
        {
            return false;
        }

        memory = new ResidentMemory(anonymous, file, resident, peak);
        return true;
    }
}
