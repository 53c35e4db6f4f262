using System.CommandLine;
using Galaxy.Client.Commands;

namespace Galaxy.Client;

/// <summary>
/// The <c>galaxy</c> command line. <see cref="InvokeAsync"/> runs it with any output writers, so it can be driven in
/// process; unusable input (a parse error, a bad value, input the cluster refuses, an unreachable cluster) is one
/// line on the error writer and exit code 2.
/// </summary>
public static class GalaxyCommandLine
{
    /// <summary>The exit code for unusable input.</summary>
    public const int BadInput = 2;

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Create() => new("galaxy: one Transformer inference across several edge devices.")
    {
        InfoCommand.Create(),
        ConvertCommand.Create(),
        EmbedCommand.Create(),
        InferCommand.Create(),
        GenerateCommand.Create(),
        SynthCommand.Create(),
        DemoCommand.Create(),
        ClusterCommand.Create(),
        PlanCommand.Create(),
        EvalCommand.Create(),
    };

    /// <summary>Parses and runs <paramref name="args"/>, writing to <paramref name="output"/> and <paramref name="error"/> (default: the console).</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellation = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parsed = Create().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // "cluster statuz" reports a missing subcommand and the unknown word: the unknown word says more.
            var first = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            await error.WriteLineAsync($"{CommandPath(parsed.CommandResult)}: {first.Message} (see --help)").ConfigureAwait(false);
            return BadInput;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellation).ConfigureAwait(false);
    }

    /// <summary>"galaxy cluster status" for the subcommand the parser reached.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? current = result; current is System.CommandLine.Parsing.CommandResult command; current = current.Parent)
        {
            names.Insert(0, command.Command is RootCommand ? "galaxy" : command.Command.Name);
        }

        return string.Join(' ', names);
    }
}
