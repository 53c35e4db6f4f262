using Spectre.Console;

namespace Galaxy.Client.Commands;

/// <summary>Spectre consoles over a command's writers: colours and live displays on a terminal, plain text elsewhere.</summary>
internal static class TerminalConsole
{
    // Wide enough that a status table of a few devices is not wrapped when its output goes to a file or a pipe.
    private const int PlainWidth = 200;

    /// <summary>True when <paramref name="output"/> is the process's standard output and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>
    /// A console writing to <paramref name="output"/>: on a terminal with what the terminal supports; otherwise without
    /// ANSI codes, colours or live updates, <see cref="PlainWidth"/> columns wide.
    /// </summary>
    public static IAnsiConsole For(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (IsTerminal(output))
        {
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = PlainWidth;
        return console;
    }
}
