using Galaxy.Client;
using Galaxy.Client.Evaluation;

namespace Galaxy.SystemTests.Evaluation;

/// <summary><c>galaxy eval</c> in process without a testbed: the dry run's grid, and bad setups and options as one line with exit code 2.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("galaxy-eval-cli-").FullName;

    [Fact]
    public async Task Eval_DryRunOfShippedSetups_PrintsEachGridAndTheTotal()
    {
        var (exit, output, error) = await InvokeAsync(
            "eval", "--setup", RepositoryFiles.Path("deploy", "eval", "heterogeneous.yaml"), "--setup", RepositoryFiles.Path("deploy", "eval", "scalability.yaml"), "--dry-run");

        Assert.True(exit == 0, error);
        Assert.Contains("eval: setup heterogeneous: nano:25%:100mbit:2ms, tx2:50%:1gbit:1ms, nx:75%:1gbit:1ms; device counts 3; models bert-large; S 128,256; links 1gbit,100mbit,setup; modes local,megatron,sp,galaxy-no-overlap,galaxy; 1 warm-up + 5 runs → 150 recorded runs", output, StringComparison.Ordinal);
        Assert.Contains("eval: setup scalability:", output, StringComparison.Ordinal);
        Assert.Contains("device counts 1/2/3/4", output, StringComparison.Ordinal);
        Assert.Contains("recorded runs in all", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_Overrides_ReplaceTheSetupsGrid()
    {
        var (exit, output, error) = await InvokeAsync(
            "eval", "--setup", RepositoryFiles.Path("deploy", "eval", "homogeneous.yaml"), "--models", "distilbert", "--seq", "64", "--modes", "galaxy,local",
            "--bandwidths", "setup", "--runs", "2", "--warmup", "0", "--dry-run");

        Assert.True(exit == 0, error);
        Assert.Contains("models distilbert; S 64; links setup; modes galaxy,local; 0 warm-up + 2 runs → 4 recorded runs", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--seq|x", "galaxy eval: --seq takes whole numbers, got 'x'.")]
    [InlineData("--modes|turbo", "galaxy eval: unknown mode 'turbo'; the modes are local, megatron, sp, galaxy-no-overlap, galaxy. (from the command line, for setup")]
    [InlineData("--bandwidths|fast", "galaxy eval: bandwidth 'fast' is not a link rate")]
    [InlineData("--runs|0", "galaxy eval: runs must be 1-100, got 0.")]
    [InlineData("--models|gpt9", "galaxy eval: unknown model 'gpt9'")]
    public async Task Eval_BadOverride_OneLineAndExitTwo(string option, string expected)
    {
        var parts = option.Split('|');

        var (exit, output, error) = await InvokeAsync("eval", "--setup", RepositoryFiles.Path("deploy", "eval", "smoke.yaml"), parts[0], parts[1], "--dry-run");

        Assert.True(exit == 2, $"exit {exit}: {error}");
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Eval_BadSetupFile_NamesTheFileAndExitsTwo()
    {
        var path = Path.Combine(_directory, "bad.yaml");
        await File.WriteAllTextAsync(path, "name: bad\ndevices:\n  - { name: a, cpu: 500%, link: 1gbit }\n", TestContext.Current.CancellationToken);

        var (exit, _, error) = await InvokeAsync("eval", "--setup", path);

        Assert.Equal(2, exit);
        Assert.StartsWith($"galaxy eval: setup '{path}': the CPU shares sum to 500% of one core, over 150% of this machine", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_TwoSetupsWithOneName_Refused()
    {
        var smoke = RepositoryFiles.Path("deploy", "eval", "smoke.yaml");

        var (exit, _, error) = await InvokeAsync("eval", "--setup", smoke, "--setup", smoke, "--dry-run");

        Assert.Equal(2, exit);
        Assert.StartsWith("galaxy eval: two setups are named 'smoke'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eval|measure|--model|minilm|--seq|32", "galaxy eval measure: give the cluster with --gateway host:port or --redis host:port.")]
    [InlineData("eval|measure|--model|minilm|--seq|0|--gateway|127.0.0.1:30000", "galaxy eval measure: --seq takes whole numbers above 0, got '0'.")]
    [InlineData("eval|measure|--model|minilm|--seq|32|--modes|x|--gateway|127.0.0.1:30000", "galaxy eval measure: unknown mode 'x'")]
    [InlineData("eval|measure|--model|minilm|--seq|32|--runs|0|--gateway|127.0.0.1:30000", "galaxy eval measure: --runs must be 1-100 and --warmup 0-10, got 0 and 1.")]
    [InlineData("eval|measure|--model|minilm|--seq|32|--devices|0|--gateway|127.0.0.1:30000", "galaxy eval measure: --devices must be at least 1, got 0.")]
    public async Task Measure_BadOptions_OneLineAndExitTwo(string commandLine, string expected)
    {
        var (exit, output, error) = await InvokeAsync(commandLine.Split('|'));

        Assert.True(exit == 2, $"exit {exit}: {error}");
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Eval_NoSetup_SaysWhatToGive()
    {
        var (exit, _, error) = await InvokeAsync("eval");

        Assert.Equal(2, exit);
        Assert.StartsWith("galaxy eval: give at least one --setup <file>", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_Report_RendersTheResultsAgain()
    {
        var setup = EvaluationSetupReader.Read(RepositoryFiles.Path("deploy", "eval", "smoke.yaml"), cores: 2);
        EvaluationSample[] samples =
        [
            new() { Setup = "smoke", ClusterDevices = 2, Bandwidth = "setup", Model = "distilbert", Sequence = 32, Mode = "local", Run = 1, WallMilliseconds = 100, PredictedMilliseconds = 90, Devices = ["a"] },
            new() { Setup = "smoke", ClusterDevices = 2, Bandwidth = "setup", Model = "distilbert", Sequence = 32, Mode = "galaxy-no-overlap", Run = 1, WallMilliseconds = 80, PredictedMilliseconds = 70, Devices = ["a", "b"] },
            new() { Setup = "smoke", ClusterDevices = 2, Bandwidth = "setup", Model = "distilbert", Sequence = 32, Mode = "sp", Fits = false, Oom = "No device can hold the whole model" },
        ];
        var written = new EvaluationResults(DateTimeOffset.UnixEpoch, "galaxy eval --setup smoke.yaml", 2, [setup], samples, EvaluationStatistics.Summarize(samples));
        await EvaluationRunner.WriteAsync(written, _directory);
        var again = Path.Combine(_directory, "again");

        var (exit, output, error) = await InvokeAsync("eval", "--report", Path.Combine(_directory, "eval.json"), "--out", again);

        Assert.True(exit == 0, error);
        Assert.Contains("rendered 3 runs of 1 setup(s)", output, StringComparison.Ordinal);
        var first = await File.ReadAllTextAsync(Path.Combine(_directory, "eval.md"), TestContext.Current.CancellationToken);
        var second = await File.ReadAllTextAsync(Path.Combine(again, "eval.md"), TestContext.Current.CancellationToken);
        Assert.Equal(first, second);
        Assert.Contains("| 2 | 100mbit | distilbert | 32 | galaxy-no-overlap | 80 |", second, StringComparison.Ordinal);
        Assert.Contains("| sp | OOM |", second, StringComparison.Ordinal);
        var reread = await EvaluationRunner.ReadAsync(Path.Combine(again, "eval.json"));
        Assert.Equal(written.Samples, reread.Samples, (a, b) => a.Mode == b.Mode && a.WallMilliseconds == b.WallMilliseconds && a.Devices.SequenceEqual(b.Devices) && a.Oom == b.Oom);
        Assert.Equal(written.Setups[0].Grid.Modes, reread.Setups[0].Grid.Modes);
        Assert.Equal(written.Setups[0].Devices, reread.Setups[0].Devices);
    }

    [Fact]
    public async Task Eval_ReportNotResults_OneLineAndExitTwo()
    {
        var path = Path.Combine(_directory, "not.json");
        await File.WriteAllTextAsync(path, "[1, 2]", TestContext.Current.CancellationToken);

        var (exit, _, error) = await InvokeAsync("eval", "--report", path, "--out", _directory);

        Assert.Equal(2, exit);
        Assert.StartsWith($"galaxy eval: --report: '{path}' is not an eval.json:", error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await GalaxyCommandLine.InvokeAsync(arguments, output, error, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
