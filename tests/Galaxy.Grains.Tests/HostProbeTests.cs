using Galaxy.Grains.Profiling;

namespace Galaxy.Grains.Tests;

/// <summary>Where a device runs, read from fake /proc, /etc and /sys trees: host identity, affinity CPUs, cgroup v1 and v2 quotas.</summary>
public sealed class HostProbeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"galaxy-hostprobe-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void Write(string path, string text)
    {
        var file = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    [Fact]
    public void Read_CgroupV1QuotaOnTheParent_TightestAlongTheTree()
    {
        // This machine's layout: v1 controllers plus an empty unified hierarchy; the testbed's cgroup is <cpu>/galaxy-testbed/<name>.
        Write("proc/self/cgroup", "9:memory:/x\n4:cpu,cpuacct:/galaxy-testbed/a\n0::/\n");
        Write("sys/fs/cgroup/cpu,cpuacct/galaxy-testbed/a/cpu.cfs_quota_us", "-1\n");
        Write("sys/fs/cgroup/cpu,cpuacct/galaxy-testbed/a/cpu.cfs_period_us", "100000\n");
        Write("sys/fs/cgroup/cpu,cpuacct/galaxy-testbed/cpu.cfs_quota_us", "30000\n");
        Write("sys/fs/cgroup/cpu,cpuacct/galaxy-testbed/cpu.cfs_period_us", "100000\n");
        Write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        Write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        Directory.CreateDirectory(Path.Combine(_root, "sys/fs/cgroup/unified"));

        Assert.Equal(0.3, HostProbe.CpuQuotaCores(_root)!.Value, 1e-12);
    }

    [Fact]
    public void Read_CgroupV1QuotaOnItsOwnGroupWithAShortPeriod_QuotaOverPeriod()
    {
        Write("proc/self/cgroup", "1:cpu:/galaxy-testbed/nano\n");
        Write("sys/fs/cgroup/cpu/galaxy-testbed/nano/cpu.cfs_quota_us", "1000\n");
        Write("sys/fs/cgroup/cpu/galaxy-testbed/nano/cpu.cfs_period_us", "4000\n");

        Assert.Equal(0.25, HostProbe.CpuQuotaCores(_root)!.Value, 1e-12);
    }

    [Fact]
    public void Read_CgroupV2CpuMax_QuotaOverPeriodAndMaxIsNone()
    {
        Write("proc/self/cgroup", "0::/galaxy/dev1\n");
        Write("sys/fs/cgroup/galaxy/dev1/cpu.max", "80000 100000\n");
        Write("sys/fs/cgroup/galaxy/cpu.max", "max 100000\n");

        Assert.Equal(0.8, HostProbe.CpuQuotaCores(_root)!.Value, 1e-12);

        Write("sys/fs/cgroup/galaxy/dev1/cpu.max", "max 100000\n");
        Assert.Null(HostProbe.CpuQuotaCores(_root));
    }

    [Fact]
    public void Read_NoCgroupFilesOrUnparsable_NoQuota()
    {
        Assert.Null(HostProbe.CpuQuotaCores(_root));

        Write("proc/self/cgroup", "0::/g\n");
        Write("sys/fs/cgroup/g/cpu.max", "lots\n");
        Assert.Null(HostProbe.CpuQuotaCores(_root));
    }

    [Fact]
    public void Read_MachineId_SameIdSameHostAndNotTheIdItself()
    {
        Write("etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
        var first = HostProbe.Read(_root, "box").Host;

        Assert.Equal(first, HostProbe.Read(_root, "another-name").Host);
        Assert.StartsWith("m-", first, StringComparison.Ordinal);
        Assert.Equal(18, first.Length);
        Assert.DoesNotContain("3d1219c7", first, StringComparison.Ordinal);

        Write("etc/machine-id", "00000000000000000000000000000001\n");
        Assert.NotEqual(first, HostProbe.Read(_root, "box").Host);
    }

    [Fact]
    public void Read_NoMachineId_HostName()
    {
        Assert.Equal("host-box", HostProbe.Read(_root, "box").Host);

        Write("var/lib/dbus/machine-id", "abc\n");
        Assert.StartsWith("m-", HostProbe.Read(_root, "box").Host, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AffinityList_CountsItsCpus()
    {
        Write("proc/self/status", "Name:\tdotnet\nCpus_allowed:\t4f\nCpus_allowed_list:\t0-3,6\nMems_allowed_list:\t0\n");

        Assert.Equal(5, HostProbe.Read(_root, "box").HostProcessorCount);
    }

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-1", 2)]
    [InlineData(" 0-3,8-11,15 ", 9)]
    [InlineData("3-1", null)]
    [InlineData("a-b", null)]
    [InlineData("", null)]
    public void CountCpuList_Lists(string list, int? expected)
    {
        Assert.Equal(expected, HostProbe.CountCpuList(list));
    }

    [Fact]
    public void Read_NoStatusFile_FallsBackToTheRuntimesCount()
    {
        Assert.Equal(Environment.ProcessorCount, HostProbe.Read(_root, "box").HostProcessorCount);
    }

    [Fact]
    public void Read_ThisMachine_AtLeastTheRuntimesCount()
    {
        var placement = HostProbe.Read();

        // The runtime's count is the affinity count, reduced (rounded up) by a quota: never above it.
        Assert.True(placement.HostProcessorCount >= Environment.ProcessorCount, $"{placement.HostProcessorCount} < {Environment.ProcessorCount}");
        Assert.False(string.IsNullOrWhiteSpace(placement.Host));
        Assert.True(placement.CpuQuotaCores is null or > 0);
    }
}
