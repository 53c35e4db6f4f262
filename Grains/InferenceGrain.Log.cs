using Microsoft.Extensions.Logging;

namespace Galaxy.Grains;

/// <summary>The coordinator's log messages.</summary>
internal static partial class InferenceGrainLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: request {RequestId} lost {Devices}; re-planning on the survivors (run {Attempt})")]
    public static partial void Replanning(ILogger logger, Exception error, string model, long requestId, string devices, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: the device registry did not answer; planning with the last profiles it gave")]
    public static partial void RegistryUnreachable(ILogger logger, Exception error, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: measured {Measured:F1} ms against {Predicted:F1} ms predicted, off by more than 25 % for several runs; links re-measured; speeds recalibrated and re-planned where a device moved 10 % or more (refreshes so far: {Refresh})")]
    public static partial void Drifted(ILogger logger, string model, double measured, double predicted, int refresh);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model {Model}: the links could not be measured; planning with the last known or the default link")]
    public static partial void LinksNotMeasured(ILogger logger, Exception error, string model);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model {Model}: could not give request {RequestId} up on a shard (its device is gone)")]
    public static partial void AbortFailed(ILogger logger, Exception error, string model, long requestId);
}
