namespace Galaxy.Kernels.Parallel;

/// <summary>
/// What one rank moved for one collective of one layer: payload bytes and messages each way, and the time
/// its receives spent waiting for tiles that had not arrived yet.
/// </summary>
/// <remarks>
/// <see cref="Ring.ReduceScatterAsync"/> receives a tile's running sum only after producing that tile's partial,
/// so its wait is the communication that compute did not hide. <see cref="Ring.AllGatherAsync"/> with overlap
/// receives on its own task while the caller computes, so its wait counts hidden link time too.
/// </remarks>
/// <param name="Rank">The device.</param>
/// <param name="Layer">The layer the tiles belong to (<see cref="TileKey.Layer"/>).</param>
/// <param name="Phase">The collective within the layer.</param>
/// <param name="BytesSent">Payload bytes sent (4 per float; no headers).</param>
/// <param name="BytesReceived">Payload bytes received.</param>
/// <param name="MessagesSent">Tiles sent.</param>
/// <param name="MessagesReceived">Tiles received.</param>
/// <param name="ReceiveWait">Time spent inside receives whose tile was not there when they were called (0 for the others).</param>
public sealed record CollectiveTraffic(
    int Rank,
    int Layer,
    CollectivePhase Phase,
    long BytesSent,
    long BytesReceived,
    long MessagesSent,
    long MessagesReceived,
    TimeSpan ReceiveWait);
