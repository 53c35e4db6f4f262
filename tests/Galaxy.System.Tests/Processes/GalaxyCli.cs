namespace Galaxy.SystemTests.Processes;

/// <summary>Runs the <c>galaxy</c> CLI as a separate process, the way a user runs it.</summary>
internal static class GalaxyCli
{
    /// <summary>Runs it to completion (killed after <paramref name="limit"/>); stdout and stderr apart.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan limit, CancellationToken cancellation, params string[] arguments)
    {
        await using var process = RunningProcess.StartDotnet("galaxy", GalaxyPrograms.Cli, arguments,
            new Dictionary<string, string> { ["GALAXY_CACHE"] = Path.Combine(AppContext.BaseDirectory, "cli-cache") });
        var exit = await process.WaitForExitAsync(limit, cancellation).ConfigureAwait(false)
            ?? throw new TimeoutException($"galaxy {string.Join(' ', arguments)} did not finish within {limit.TotalSeconds:F0} s:\n{process.Output}");
        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var output = string.Join('\n', lines.Where(l => !l.StartsWith("! ", StringComparison.Ordinal)));
        var error = string.Join('\n', lines.Where(l => l.StartsWith("! ", StringComparison.Ordinal)).Select(l => l[2..]));
        return (exit, output, error);
    }

    /// <summary>
    /// Runs it with a terminal as stdin, stdout and stderr (a pseudo-terminal from util-linux <c>script</c>, 80 columns),
    /// so it behaves as it does for a user at a terminal; returns the exit code and everything it wrote, control codes included.
    /// </summary>
    public static async Task<(int ExitCode, string Terminal)> RunInTerminalAsync(TimeSpan limit, CancellationToken cancellation, params string[] arguments)
    {
        var command = string.Join(' ', new[] { "dotnet", GalaxyPrograms.Cli }.Concat(arguments).Select(Quote));
        await using var process = RunningProcess.Start("galaxy (terminal)", "script", ["--quiet", "--return", "--command", command, "/dev/null"],
            new Dictionary<string, string> { ["GALAXY_CACHE"] = Path.Combine(AppContext.BaseDirectory, "cli-cache"), ["TERM"] = "xterm" });
        var exit = await process.WaitForExitAsync(limit, cancellation).ConfigureAwait(false)
            ?? throw new TimeoutException($"galaxy {string.Join(' ', arguments)} in a terminal did not finish within {limit.TotalSeconds:F0} s:\n{process.Output}");
        return (exit, process.Output);
    }

    // One word for /bin/sh: single quotes, each ' as '\''.
    private static string Quote(string word) => $"'{word.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
