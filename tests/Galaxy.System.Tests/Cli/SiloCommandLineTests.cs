using Galaxy.Silo;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests.Cli;

/// <summary>The silo's command line refuses unusable settings with one line and exit code 2, before starting anything.</summary>
public sealed class SiloCommandLineTests
{
    [Theory]
    [InlineData("--device dev --bogus 1", "galaxy-silo: Unrecognized command or argument '--bogus'. (see --help)")]
    [InlineData("--device", "galaxy-silo: Required argument missing for option: '--device'. (see --help)")]
    [InlineData("--device dev --silo-port 70000", "galaxy-silo: --silo-port must be a port number 1–65535, got '70000'.")]
    [InlineData("--device dev --clustering redis", "galaxy-silo: --clustering redis needs --redis host:port (the Redis server that holds the membership table).")]
    [InlineData("--device dev --memory-budget 2TB5", "galaxy-silo: --memory-budget must be a size such as 512MiB, 4GiB or 4G, got '2TB5'.")]
    public async Task Run_BadSettings_OneLineAndExitTwo(string commandLine, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await SiloCommandLine.RunAsync(commandLine.Split(' '), output, error);

        Assert.Equal(2, exit);
        Assert.Equal(expected, error.ToString().TrimEnd());
        Assert.Equal("", output.ToString());
    }

    [Fact(Timeout = 120_000)]
    public async Task SiloProcess_NoDevice_ExitsTwoWithOneLine()
    {
        await using var silo = RunningProcess.StartDotnet("silo", GalaxyPrograms.Silo, ["--threads", "0"]);

        var exit = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Equal("! galaxy-silo: No device name: give --device <name> (or Galaxy:Device in appsettings.json, or the environment variable Galaxy__Device).", silo.Output.TrimEnd());
    }
}
