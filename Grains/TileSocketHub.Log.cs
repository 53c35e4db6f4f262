using Microsoft.Extensions.Logging;

namespace Galaxy.Grains;

/// <summary>The tile socket hub's log messages.</summary>
public sealed partial class TileSocketHub
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Device {Device} takes tiles at {Endpoint} (bound to {Bind})")]
    private static partial void Listening(ILogger logger, string device, string endpoint, System.Net.IPAddress bind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Device {Device} closed the tile connection from {Peer} ({Remote}): malformed frame, {Reason}")]
    private static partial void MalformedFrame(ILogger logger, string device, string peer, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Device {Device} dropped a duplicate tile from {Peer} at {Endpoint}")]
    private static partial void DuplicateTile(ILogger logger, Exception error, string device, string peer, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Device}: the {Direction} tile connection with {Peer} at {Endpoint} ended; {Failed} waiting request(s) failed")]
    private static partial void ConnectionDropped(ILogger logger, string device, string direction, string peer, string endpoint, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Device} cannot reach device {Peer} at tile endpoint {Endpoint}")]
    private static partial void ConnectFailed(ILogger logger, Exception error, string device, string peer, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {Device} failed to accept a tile connection")]
    private static partial void AcceptFailed(ILogger logger, Exception error, string device);
}
