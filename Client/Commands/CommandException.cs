namespace Galaxy.Client.Commands;

/// <summary>Input a command cannot use; its message is shown to the user as is and the command exits with code 2.</summary>
internal sealed class CommandException : Exception
{
    public CommandException(string message)
        : base(message)
    {
    }

    public CommandException()
    {
    }

    public CommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The exit code for unusable input.</summary>
    public const int ExitCode = 2;

    /// <summary>Runs <paramref name="action"/>, turning a <see cref="CommandException"/> into a message on stderr and exit code 2.</summary>
    public static int Guard(string command, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CommandException e)
        {
            Console.Error.WriteLine($"galaxy {command}: {e.Message}");
            return ExitCode;
        }
    }
}
