namespace Galaxy.Client.Commands;

/// <summary>The cluster accepted a request but failed to serve it (a device failed, a timeout); the command exits with code 1.</summary>
internal sealed class ClusterFailureException : Exception
{
    public ClusterFailureException(string message)
        : base(message)
    {
    }

    public ClusterFailureException()
    {
    }

    public ClusterFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The exit code.</summary>
    public const int ExitCode = 1;
}
