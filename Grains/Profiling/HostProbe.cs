using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Galaxy.Grains.Profiling;

/// <summary>
/// Reads where the process runs (<see cref="HostPlacement"/>) from the Linux files under a root directory, so a test
/// can hand it a fake tree:
/// <list type="bullet">
/// <item>host: a hash of <c>/etc/machine-id</c> (else <c>/var/lib/dbus/machine-id</c>; the id itself is meant to stay
///   private), else the host name. Network namespaces and containers without their own machine-id share it, which is
///   right: they share the cores.</item>
/// <item>CPUs: the count of <c>Cpus_allowed_list</c> in <c>/proc/self/status</c> (the affinity mask; .NET's
///   <see cref="Environment.ProcessorCount"/> is already reduced by a quota), else <see cref="Environment.ProcessorCount"/>.</item>
/// <item>quota: the process's cgroup from <c>/proc/self/cgroup</c>; cgroup v2 <c>cpu.max</c> ("quota period" or
///   "max …") under <c>/sys/fs/cgroup</c>, cgroup v1 <c>cpu.cfs_quota_us</c> / <c>cpu.cfs_period_us</c> (−1 = none) under
///   <c>/sys/fs/cgroup/cpu</c>, <c>cpu,cpuacct</c> or the controllers' own directory name. The cgroup and every
///   ancestor count (a parent's quota limits its children); the tightest wins. Files that are missing or do not parse
///   count as no quota at that level: a device must start even where cgroups look unusual.</item>
/// </list>
/// </summary>
public static class HostProbe
{
    /// <summary>Reads the placement of this process from the files under <paramref name="root"/> ("/" on a real machine).</summary>
    /// <param name="root">The file system root to read from.</param>
    /// <param name="hostName">The name to fall back on when there is no machine id (default <see cref="Environment.MachineName"/>).</param>
    public static HostPlacement Read(string root = "/", string? hostName = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        return new HostPlacement(HostIdentity(root, hostName ?? Environment.MachineName), AffinityProcessorCount(root) ?? Environment.ProcessorCount, CpuQuotaCores(root));
    }

    /// <summary>"m-" + 16 hex digits of SHA-256 of the machine id, or "host-" + the host name.</summary>
    public static string HostIdentity(string root, string hostName)
    {
        foreach (var file in new[] { "etc/machine-id", "var/lib/dbus/machine-id" })
        {
            var id = ReadTrimmed(Path.Combine(root, file));
            if (!string.IsNullOrEmpty(id))
            {
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes("galaxy-host:" + id));
                return "m-" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
            }
        }

        return "host-" + hostName;
    }

    /// <summary>The number of CPUs in <c>Cpus_allowed_list</c> ("0-3,6"), or null when the file or line is missing or malformed.</summary>
    public static int? AffinityProcessorCount(string root)
    {
        var status = Path.Combine(root, "proc/self/status");
        if (!File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        return line is null ? null : CountCpuList(line["Cpus_allowed_list:".Length..]);
    }

    /// <summary>The CPUs in a list such as "0-3,6,8-9" (7), or null when it does not parse.</summary>
    public static int? CountCpuList(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var count = 0;
        foreach (var part in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-');
            if (ends.Length is < 1 or > 2
                || !int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(ends[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                || last < first)
            {
                return null;
            }

            count += last - first + 1;
        }

        return count > 0 ? count : null;
    }

    /// <summary>The tightest CPU quota (cores) of the process's cgroup and its ancestors, v1 or v2; null when unlimited or unknown.</summary>
    public static double? CpuQuotaCores(string root)
    {
        var cgroupFile = Path.Combine(root, "proc/self/cgroup");
        if (!File.Exists(cgroupFile))
        {
            return null;
        }

        var mounts = Path.Combine(root, "sys/fs/cgroup");
        double? tightest = null;
        foreach (var line in File.ReadLines(cgroupFile))
        {
            // "hierarchy-id:controller,list:/path"; cgroup v2 is "0::/path".
            var fields = line.Split(':', 3);
            if (fields.Length != 3 || !fields[2].StartsWith('/'))
            {
                continue;
            }

            var controllers = fields[1].Split(',', StringSplitOptions.RemoveEmptyEntries);
            var path = fields[2].TrimStart('/');
            if (fields[0] == "0" && controllers.Length == 0)
            {
                // v2: the unified hierarchy is mounted at /sys/fs/cgroup (or /sys/fs/cgroup/unified beside v1).
                foreach (var mount in new[] { mounts, Path.Combine(mounts, "unified") })
                {
                    tightest = Min(tightest, AlongTheTree(mount, path, V2Quota));
                }
            }
            else if (controllers.Contains("cpu"))
            {
                foreach (var mount in new[] { Path.Combine(mounts, fields[1]), Path.Combine(mounts, "cpu"), Path.Combine(mounts, "cpu,cpuacct") }.Distinct())
                {
                    tightest = Min(tightest, AlongTheTree(mount, path, V1Quota));
                }
            }
        }

        return tightest;
    }

    private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    /// <summary>The tightest quota from the cgroup's directory up to the mount's root (each level read with <paramref name="quota"/>).</summary>
    private static double? AlongTheTree(string mount, string path, Func<string, double?> quota)
    {
        if (!Directory.Exists(mount))
        {
            return null;
        }

        double? tightest = null;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var depth = parts.Length; depth >= 0; depth--)
        {
            var directory = Path.Combine([mount, .. parts.Take(depth)]);
            if (Directory.Exists(directory))
            {
                tightest = Min(tightest, quota(directory));
            }
        }

        return tightest;
    }

    /// <summary>cgroup v2 <c>cpu.max</c>: "quota period" in µs, or "max period" for none.</summary>
    private static double? V2Quota(string directory)
    {
        var text = ReadTrimmed(Path.Combine(directory, "cpu.max"));
        var fields = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields is not { Length: 2 } || fields[0] == "max")
        {
            return null;
        }

        return Ratio(fields[0], fields[1]);
    }

    /// <summary>cgroup v1 <c>cpu.cfs_quota_us</c> (−1 for none) over <c>cpu.cfs_period_us</c>.</summary>
    private static double? V1Quota(string directory)
    {
        var quota = ReadTrimmed(Path.Combine(directory, "cpu.cfs_quota_us"));
        var period = ReadTrimmed(Path.Combine(directory, "cpu.cfs_period_us"));
        return quota is null || period is null ? null : Ratio(quota, period);
    }

    private static double? Ratio(string quota, string period) =>
        long.TryParse(quota, NumberStyles.Integer, CultureInfo.InvariantCulture, out var q) && q > 0
        && long.TryParse(period, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p > 0
            ? (double)q / p
            : null;

    private static string? ReadTrimmed(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
