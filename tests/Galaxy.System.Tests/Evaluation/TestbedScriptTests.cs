using System.Diagnostics;
using System.Runtime.Versioning;

namespace Galaxy.SystemTests.Evaluation;

/// <summary>
/// deploy/testbed/testbed's checks that need no namespaces: the device list it parses, what it refuses, and that it
/// refuses to run without root. (Bringing a testbed up is the smoke test's job: deploy/testbed/smoke in .ci/run.)
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class TestbedScriptTests
{
    private static readonly string Script = RepositoryFiles.Path("deploy", "testbed", "testbed");

    [Fact]
    public async Task ParseDevices_TheIssuesExample_OneLinePerDevice()
    {
        var (exit, output, error) = await RunAsync(null, "parse-devices", "nano:30%:100mbit:2ms,tx2:50%:1gbit:1ms,nx:80%:1gbit:1ms", "2");

        Assert.True(exit == 0, error);
        Assert.Equal(
            ["nano 300 100000000 2000 100mbit 2ms", "tx2 500 1000000000 1000 1gbit 1ms", "nx 800 1000000000 1000 1gbit 1ms"],
            output.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("a:200%:1gbit,b:150%:1gbit", "the CPU shares sum to 350% of one core, over 150% of this machine (2 cores = 200%, so at most 300%)")]
    [InlineData("a:30:1gbit", "device 'a': CPU share '30' is not a percentage")]
    [InlineData("a:0.5%:1gbit", "device 'a': CPU share 0.5% must be between 1% and 200%")]
    [InlineData("a:30%:fast", "device 'a': link rate 'fast' is not like 100mbit")]
    [InlineData("a:30%:1gbit:2", "device 'a': delay '2' is not like 2ms")]
    [InlineData("a:30%:1gbit:2s", "device 'a': delay 2s is over 1 s")]
    [InlineData("a:30%", "device 'a:30%' is not name:cpu%:rate[:delay]")]
    [InlineData("a:30%:1gbit,a:30%:1gbit", "device 'a' is given twice")]
    [InlineData("sw:30%:1gbit", "device name 'sw' must be")]
    public async Task ParseDevices_Bad_OneLineAndExitTwo(string devices, string expected)
    {
        var (exit, output, error) = await RunAsync(null, "parse-devices", devices, "2");

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("", "testbed: give a command")]
    [InlineData("bogus", "testbed: unknown command 'bogus'")]
    [InlineData("up", "testbed: up needs --devices")]
    [InlineData("up --devices a:30%:1gbit --subnet 192.168.1", "testbed: --subnet must be the first three numbers of a private 10.x.y.0/24")]
    [InlineData("shape", "testbed: shape needs --rate")]
    public async Task Command_Bad_UsageAndExitTwo(string arguments, string expected)
    {
        var (exit, _, error) = await RunAsync(null, arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prefix_Bad_RefusedBeforeAnything()
    {
        var start = new ProcessStartInfo(Script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("status");
        start.Environment["TESTBED_PREFIX"] = "Bad-Prefix";

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("testbed: TESTBED_PREFIX must be 1-8 lower-case letters and digits, starting with a letter; got 'Bad-Prefix'", error.Trim());
    }

    [Fact]
    public async Task Up_NotRoot_RefusesClearly()
    {
        // As root, drop to nobody for this one call (setpriv, util-linux); a copy of the script nobody can read.
        var copy = Path.Combine(Directory.CreateTempSubdirectory("galaxy-testbed-").FullName, "testbed");
        File.Copy(Script, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.GetDirectoryName(copy)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            var (exit, output, error) = Environment.IsPrivilegedProcess
                ? await RunAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", copy, "up", "--devices", "a:30%:1gbit")
                : await RunAsync(copy, "up", "--devices", "a:30%:1gbit");

            Assert.Equal(1, exit);
            Assert.Equal("testbed: needs root (network namespaces, tc, iptables and cgroups); run it with sudo or as root.", error.Trim());
            Assert.Equal("", output);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string? program, params string[] arguments) =>
        RunCoreAsync(program ?? Script, arguments);

    private static async Task<(int ExitCode, string Output, string Error)> RunCoreAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
