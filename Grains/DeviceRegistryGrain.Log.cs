using Microsoft.Extensions.Logging;

namespace Galaxy.Grains;

/// <summary>The device registry's log messages.</summary>
internal static partial class DeviceRegistryGrainLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} (silo {Silo}) published its profile of {Models} models")]
    public static partial void Published(ILogger logger, string device, string silo, int models);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped the profile of device {Device}: its silo left the cluster")]
    public static partial void Dropped(ILogger logger, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {From} → {To}: latency {LatencyMilliseconds:F3} ms, {MegabytesPerSecond:F0} MB/s")]
    public static partial void LinkMeasured(ILogger logger, string from, string to, double latencyMilliseconds, double megabytesPerSecond);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not get device {Device}'s profile")]
    public static partial void PullFailed(ILogger logger, Exception error, string device);
}
