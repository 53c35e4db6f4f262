using Microsoft.Extensions.Logging;

namespace Galaxy.Silo;

/// <summary>The silo process's log messages.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} is up: silo port {SiloPort}, gateway port {GatewayPort}, cluster {Cluster}")]
    public static partial void DeviceUp(ILogger logger, string device, int siloPort, int gatewayPort, string cluster);
}
