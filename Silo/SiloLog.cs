using Microsoft.Extensions.Logging;

namespace Galaxy.Silo;

/// <summary>The silo process's log messages.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Starting device {Device}: cluster {Cluster} ({Clustering}); silo {SiloEndpoint}, gateway {GatewayEndpoint}, listening on {Listen}")]
    public static partial void Starting(ILogger logger, string device, string cluster, string clustering, string siloEndpoint, string gatewayEndpoint, string listen);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device}: {Threads} kernel threads ({Cores} cores), memory budget {MemoryBudget} ({MemorySource}), models in {Models}")]
    public static partial void Resources(ILogger logger, string device, int threads, int cores, string memoryBudget, string memorySource, string models);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} is up: silo port {SiloPort}, gateway port {GatewayPort}, cluster {Cluster}")]
    public static partial void DeviceUp(ILogger logger, string device, int siloPort, int gatewayPort, string cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device}: {Report}")]
    public static partial void Report(ILogger logger, string device, string report);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Device}: startup report {Report} failed: {Reason}")]
    public static partial void ReportFailed(ILogger logger, string device, string report, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} stopped")]
    public static partial void DeviceStopped(ILogger logger, string device);
}
