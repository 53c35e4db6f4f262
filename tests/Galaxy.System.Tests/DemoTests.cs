using System.Globalization;
using System.Text.RegularExpressions;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests;

/// <summary><c>galaxy demo</c>, the README's main command, as a process: three silos in it, the plan, times and the cosine check.</summary>
[Collection(ProcessCollectionDefinition.Name)]
public sealed partial class DemoTests
{
    [Fact(Timeout = 300_000)]
    public async Task Demo_Defaults_PrintsThePlanWithProfilesPerDeviceTimesAndCosineOne()
    {
        var (exit, output, error) = await GalaxyCli.RunAsync(TimeSpan.FromMinutes(4), TestContext.Current.CancellationToken, ["demo"]);

        Assert.True(exit == 0, $"galaxy demo exited {exit}:\n{output}\n{error}");
        Assert.Contains("plan the coordinator made from the devices' measured profiles (minilm: 6 layers, each 12 heads and 1536 MLP columns):", output, StringComparison.Ordinal);

        // The plan table: one row per device with its threads (2, 1, 1), measured speeds and share; heads and columns add up.
        var rows = output.Split('\n').Where(l => l.StartsWith("│ dev", StringComparison.Ordinal) && char.IsAsciiDigit(l[5])).Select(l => l.Split('│', StringSplitOptions.TrimEntries)[1..^1]).ToList();
        Assert.Equal(["dev1", "dev2", "dev3"], rows.Select(r => r[0]));
        Assert.Equal(["2", "1", "1"], rows.Select(r => r[1]));
        Assert.All(rows, r => Assert.Matches(@"^\d+(\.\d)?/\d+(\.\d)?/\d+(\.\d)?/\d+(\.\d)?$", r[2]));
        Assert.All(rows, r => Assert.True(double.Parse(r[4], CultureInfo.InvariantCulture) > 0, $"layer GFLOP/s of {r[0]}: {r[4]}"));
        Assert.Equal(12, rows.Sum(r => int.Parse(r[6], CultureInfo.InvariantCulture)));
        Assert.Equal(1536, rows.Sum(r => int.Parse(r[7], CultureInfo.InvariantCulture)));
        Assert.All(rows, r => Assert.Equal(3, r[8].Split(" · ").Length));

        // Three texts, each on three devices with its time, and the embedding equal to one device's.
        var cosines = Cosine().Matches(output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, cosines.Count);
        Assert.All(cosines, c => Assert.True(c >= 0.99999, $"cosine {c}"));
        Assert.Equal(9, DeviceTime().Count(output));
        Assert.Contains("3 texts in ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("--devices 0", "galaxy demo: --devices must be 1…6, got 0.")]
    [InlineData("--threads 2,x", "galaxy demo: --threads must be positive whole numbers separated by commas, got '2,x'.")]
    public async Task Demo_BadOption_OneLineAndExitTwo(string options, string expected)
    {
        var (exit, output, error) = await GalaxyCli.RunAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken, ["demo", .. options.Split(' ')]);

        Assert.Equal(2, exit);
        Assert.Equal(expected, error);
        Assert.Equal("", output);
    }

    [GeneratedRegex(@"tokens · [\d.]+ ms on 3 devices · [\d.]+ ms on one \(1 thread\) · cosine (\d\.\d{7})")]
    private static partial Regex Cosine();

    [GeneratedRegex(@"    dev\d: +\d+ heads, +\d+ MLP columns, +\d+ rows · compute +[\d.]+ ms · wall +[\d.]+ ms")]
    private static partial Regex DeviceTime();
}
