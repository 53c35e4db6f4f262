using System.Text.Json;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests.Cli;

/// <summary><c>galaxy plan</c> offline against the shipped profiles file, as a separate process: the JSON it promises, and bad input.</summary>
public sealed class PlanCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Plan_HomeLabProfiles_JsonSplitsTheWholeModelAndExplainsLeftOutDevices()
    {
        var (exit, output, error) = await GalaxyCli.RunAsync(
            Limit, TestContext.Current.CancellationToken, "plan", "--model", "bert-large", "--seq", "256", "--profiles", ProfilesFile("home-lab.json"), "--json");

        Assert.True(exit == 0, $"exit {exit}: {error}");
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal("bert-large", root.GetProperty("model").GetString());
        Assert.Equal(256, root.GetProperty("seq").GetInt32());
        Assert.True(root.GetProperty("predicted_ms").GetDouble() > 0);
        var devices = root.GetProperty("devices").EnumerateArray().ToList();
        Assert.NotEmpty(devices);
        Assert.Equal(16, devices.Sum(d => d.GetProperty("heads").GetInt32()));
        Assert.Equal(4096, devices.Sum(d => d.GetProperty("mlp_columns").GetInt32()));
        Assert.Equal(256, devices.Sum(d => d.GetProperty("rows").GetInt32()));
        Assert.All(devices, d =>
        {
            Assert.False(string.IsNullOrEmpty(d.GetProperty("device").GetString()));
            Assert.True(d.GetProperty("predicted_compute_ms").GetDouble() > 0);
            Assert.True(d.GetProperty("predicted_comm_ms").GetDouble() >= 0);
            Assert.InRange(d.GetProperty("memory_bytes").GetInt64(), 1, d.GetProperty("memory_budget_bytes").GetInt64());
        });
        Assert.All(root.GetProperty("excluded").EnumerateArray(), e =>
        {
            Assert.False(string.IsNullOrEmpty(e.GetProperty("device").GetString()));
            Assert.False(string.IsNullOrEmpty(e.GetProperty("reason").GetString()));
        });
    }

    [Theory]
    [InlineData("--model bert-large --profiles /nonexistent/profiles.json", "galaxy plan: No profiles file at '/nonexistent/profiles.json'.")]
    [InlineData("--model bert-large --seq 0 --profiles HOMELAB", "galaxy plan: --seq must be 1 … 512 (the model's positions), got 0.")]
    [InlineData("--model nosuch --profiles HOMELAB", "galaxy plan: --model 'nosuch' is neither a preset")]
    [InlineData("--model bert-large --profiles HOMELAB --strategy fast", "galaxy plan: --strategy must be one of")]
    public async Task Plan_BadInput_OneLineAndExitTwo(string commandLine, string expected)
    {
        string[] arguments = ["plan", .. commandLine.Split(' ').Select(a => a == "HOMELAB" ? ProfilesFile("home-lab.json") : a)];

        var (exit, output, error) = await GalaxyCli.RunAsync(Limit, TestContext.Current.CancellationToken, arguments);

        Assert.True(exit == 2, $"exit {exit}: {error}");
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Equal("", output);
    }

    /// <summary>A file of deploy/profiles in the repository the tests were built from.</summary>
    private static string ProfilesFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "deploy", "profiles", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"deploy/profiles/{name} was not found above {AppContext.BaseDirectory}.");
    }
}
