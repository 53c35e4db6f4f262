namespace Galaxy.Client.Evaluation;

/// <summary>A setup file that cannot be used; the message names the file and what is wrong.</summary>
public sealed class EvaluationSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EvaluationSetupException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public EvaluationSetupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public EvaluationSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
