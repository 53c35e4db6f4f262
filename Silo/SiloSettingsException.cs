namespace Galaxy.Silo;

/// <summary>Silo settings that cannot be used; the message names the setting and says why, and the silo exits with code 2.</summary>
public sealed class SiloSettingsException : Exception
{
    public SiloSettingsException(string message)
        : base(message)
    {
    }

    public SiloSettingsException()
    {
    }

    public SiloSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
