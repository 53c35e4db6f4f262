using Spectre.Console;

namespace Galaxy.Client.Commands;

/// <summary>
/// Runs one request against a cluster for a command: connects, calls, disconnects, with a spinner on an interactive
/// terminal (or, for requests that report progress and print to a terminal, a progress bar per device). Input the
/// cluster refuses (<see cref="ArgumentException"/>) and an unreachable cluster become a <see cref="CommandException"/>
/// (one line, exit code 2); any other failure while serving a request becomes a <see cref="ClusterFailureException"/>
/// (exit code 1).
/// </summary>
internal static class ClusterCall
{
    public static Task<T> RunAsync<T>(GalaxyConnection connection, string activity, TextWriter error, bool quiet, Func<GalaxyClient, Task<T>> call, CancellationToken cancellation) =>
        TranslateFailuresAsync(async () =>
        {
            async Task<T> Body(Action<string> status)
            {
                status($"connecting to {connection} …");
                var client = await GalaxyClient.ConnectAsync(connection, cancellation).ConfigureAwait(false);
                await using (client.ConfigureAwait(false))
                {
                    status(activity);
                    return await call(client).ConfigureAwait(false);
                }
            }

            if (quiet || !ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected)
            {
                return await Body(_ => { }).ConfigureAwait(false);
            }

            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return await console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(activity), context => Body(text => context.Status(Markup.Escape(text)))).ConfigureAwait(false);
        });

    /// <summary>
    /// <see cref="RunAsync{T}"/> for a request that reports progress: when <paramref name="output"/> is a terminal (and
    /// not <paramref name="quiet"/>), a spinner while connecting, then a <see cref="ClusterProgress"/> bar per device
    /// driven by the request's <see cref="Grains.LayerProgress"/> events; otherwise exactly <see cref="RunAsync{T}"/>,
    /// with no progress (null) handed to <paramref name="call"/>.
    /// </summary>
    public static Task<T> RunWithProgressAsync<T>(GalaxyConnection connection, string activity, TextWriter output, TextWriter error, bool quiet, int texts,
        Func<GalaxyClient, IProgress<Grains.LayerProgress>?, Task<T>> call, CancellationToken cancellation)
    {
        if (quiet || !TerminalConsole.IsTerminal(output))
        {
            return RunAsync(connection, activity, error, quiet, client => call(client, null), cancellation);
        }

        var console = TerminalConsole.For(output);
        return TranslateFailuresAsync(async () =>
        {
            var client = await console.Status().Spinner(Spinner.Known.Dots)
                .StartAsync(Markup.Escape($"connecting to {connection} …"), _ => GalaxyClient.ConnectAsync(connection, cancellation)).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                return await ClusterProgress.ShowAsync(console, activity, texts, progress => call(client, progress)).ConfigureAwait(false);
            }
        });
    }

    private static async Task<T> TranslateFailuresAsync<T>(Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (GalaxyConnectionException e)
        {
            throw new CommandException(e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new CommandException(Describe(e), e);
        }
        catch (Exception e) when (e is not (CommandException or OperationCanceledException))
        {
            throw new ClusterFailureException($"the cluster failed to serve the request: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>The exception's message without the " (Parameter 'x')" suffix (kept in the text when it crossed the wire) and on one line.</summary>
    public static string Describe(ArgumentException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = OneLine(e.Message);
        var suffix = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return suffix > 0 && message.EndsWith("')", StringComparison.Ordinal) ? message[..suffix] : message;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
