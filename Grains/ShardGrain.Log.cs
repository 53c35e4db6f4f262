using Microsoft.Extensions.Logging;

namespace Galaxy.Grains;

/// <summary>The shard grain's log messages.</summary>
internal static partial class ShardGrainLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} loaded slice {Slice} ({Megabytes:F1} MB) in {Milliseconds:F0} ms")]
    public static partial void SliceLoaded(ILogger logger, string shard, string slice, double megabytes, double milliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Shard} ran request {RequestId} as rank {Rank} of {Size} in {Milliseconds:F1} ms")]
    public static partial void RequestDone(ILogger logger, string shard, long requestId, int rank, int size, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} failed request {RequestId}")]
    public static partial void RequestFailed(ILogger logger, Exception error, string shard, long requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} could not publish the progress of request {RequestId} at layer {Layer}")]
    public static partial void ProgressFailed(ILogger logger, Exception error, string shard, long requestId, int layer);
}
