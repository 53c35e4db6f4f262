namespace Galaxy.Client.Commands;

/// <summary>
/// Runs a command's body and turns its failures into one line on the error writer: unusable input
/// (<see cref="CommandException"/>) exits with 2; a cluster that fails while serving a good request
/// (<see cref="ClusterFailureException"/>) exits with 1.
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(string command, TextWriter error, Func<Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CommandException e)
        {
            await error.WriteLineAsync($"galaxy {command}: {e.Message}").ConfigureAwait(false);
            return CommandException.ExitCode;
        }
        catch (ClusterFailureException e)
        {
            await error.WriteLineAsync($"galaxy {command}: {e.Message}").ConfigureAwait(false);
            return ClusterFailureException.ExitCode;
        }
    }
}
