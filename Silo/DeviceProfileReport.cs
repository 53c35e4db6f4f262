using System.Globalization;
using System.Text;
using Galaxy.Grains;
using Galaxy.Grains.Profiling;

namespace Galaxy.Silo;

/// <summary>
/// The start-up report of the device's measured profile (<see cref="DeviceProfileService.Current"/>), one line:
/// <c>profile: minilm qkv 85, out 80, mlp-up 90, mlp-down 88, attention@32 40, @128 60, @512 70 GFLOP/s; 2 kernel threads, budget 6 GiB, measured in 1.1 s</c>.
/// </summary>
public sealed class DeviceProfileReport(DeviceProfileService profiles) : ISiloStartupReport
{
    /// <summary>The line of the profile measured while the silo started.</summary>
    public Task<string?> DescribeAsync(CancellationToken cancellation) =>
        Task.FromResult<string?>(profiles.Current is { } profile ? Describe(profile) : "profile: not measured");

    /// <summary>
    /// One line for <paramref name="profile"/>: per model its four GEMMs (<see cref="GemmBlocks"/>) and attention by
    /// sequence length in GFLOP/s, then kernel threads, memory budget and how long the measurement took.
    /// </summary>
    public static string Describe(DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var line = new StringBuilder("profile: ");
        if (profile.Models.Count == 0)
        {
            line.Append("no model served");
        }

        for (var m = 0; m < profile.Models.Count; m++)
        {
            var model = profile.Models[m];
            line.Append(m == 0 ? "" : "; ").Append(model.ModelId).Append(' ');
            var parts = model.Gemms.Select(g => $"{g.Block} {Gflops(g.FlopsPerSecond)}")
                .Concat(model.Attention.Select((a, i) => $"{(i == 0 ? "attention" : "")}@{a.SequenceLength} {Gflops(a.FlopsPerSecond)}"));
            line.Append(string.Join(", ", parts)).Append(" GFLOP/s");
        }

        var seconds = (profile.MeasureMilliseconds / 1000).ToString("F1", CultureInfo.InvariantCulture);
        line.Append(CultureInfo.InvariantCulture, $"; {profile.KernelThreads} kernel thread{(profile.KernelThreads == 1 ? "" : "s")}, budget {ByteSize.Format(profile.MemoryBudgetBytes)}, measured in {seconds} s");
        return line.ToString();
    }

    /// <summary>FLOP/s as GFLOP/s: whole numbers from 10 up, one decimal below.</summary>
    public static string Gflops(double flopsPerSecond)
    {
        var value = flopsPerSecond / 1e9;
        return value.ToString(value >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture);
    }
}
