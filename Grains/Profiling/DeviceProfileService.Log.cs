using Microsoft.Extensions.Logging;

namespace Galaxy.Grains.Profiling;

/// <summary>The profile service's log messages.</summary>
internal static partial class DeviceProfileServiceLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} measured {Model}: GEMM {MinGflops:F1}–{MaxGflops:F1} GFLOP/s, attention up to {AttentionGflops:F1} GFLOP/s")]
    public static partial void Measured(ILogger logger, string device, string model, double minGflops, double maxGflops, double attentionGflops);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} profiled {Models} models on {Threads} kernel threads, memory budget {BudgetGiB:F1} GiB, in {Milliseconds:F0} ms")]
    public static partial void Profiled(ILogger logger, string device, int models, int threads, double budgetGiB, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} runs on host {Host} with {HostProcessors} CPUs, CPU quota {QuotaCores:F2} cores (0: none)")]
    public static partial void Placed(ILogger logger, string device, string host, int hostProcessors, double quotaCores);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Device} did not profile model {Model}: it does not load")]
    public static partial void ModelSkipped(ILogger logger, Exception error, string device, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Device} could not publish its profile (attempt {Attempt})")]
    public static partial void PublishFailed(ILogger logger, Exception error, string device, int attempt);
}
