namespace Galaxy.Client;

/// <summary>The cluster could not be reached: no gateway answered, the Redis server is down or lists no silo, or the cluster id is wrong.</summary>
public sealed class GalaxyConnectionException : Exception
{
    public GalaxyConnectionException(string message)
        : base(message)
    {
    }

    public GalaxyConnectionException()
    {
    }

    public GalaxyConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
