using System.Net;

namespace Galaxy.Silo;

/// <summary>The settings of one device's silo, as given on the command line.</summary>
internal sealed record SiloSettings(string Device, string ClusterId, int SiloPort, int GatewayPort, string? Primary, string ModelsDirectory = "models", int Threads = 1)
{
    /// <summary>The primary silo's endpoint, or null when this silo is the primary.</summary>
    public IPEndPoint? PrimaryEndpoint => Primary is null ? null : IPEndPoint.Parse(Primary);

    /// <summary>Null when the settings are usable, else the reason they are not.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Device) || Device.Contains('/', StringComparison.Ordinal))
        {
            return $"--device must be a non-empty name without '/', got '{Device}'.";
        }

        if (SiloPort is < 1 or > 65535 || GatewayPort is < 1 or > 65535 || SiloPort == GatewayPort)
        {
            return $"--silo-port ({SiloPort}) and --gateway-port ({GatewayPort}) must be two different ports in 1..65535.";
        }

        if (Primary is not null && !IPEndPoint.TryParse(Primary, out _))
        {
            return $"--primary must be host:port with a numeric address, got '{Primary}'.";
        }

        if (string.IsNullOrWhiteSpace(ModelsDirectory))
        {
            return "--models must name a directory.";
        }

        if (Threads < 1)
        {
            return $"--threads must be ≥ 1, got {Threads}.";
        }

        return null;
    }
}
