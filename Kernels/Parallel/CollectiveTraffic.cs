namespace Galaxy.Kernels.Parallel;

/// <summary>
/// What one rank moved for one collective of one layer: payload bytes and messages each way, and the time
/// its receives spent waiting for tiles that had not arrived yet.
/// </summary>
/// <remarks>
/// <see cref="Ring.ReduceScatterAsync(ICollective, TileKey, int[], int, Func{int, int, int, Memory{float}, ValueTask}, Memory{float}, int, bool, LinkPrecision, CancellationToken)"/> receives a tile's running sum only after producing that tile's partial,
/// so its wait is the communication that compute did not hide. <see cref="Ring.AllGatherAsync(ICollective, TileKey, int[], int, Memory{float}, Func{int, int, int, ValueTask}?, int, bool, LinkPrecision, CancellationToken)"/> with overlap
/// receives on its own task while the caller computes, so its wait counts hidden link time too.
/// </remarks>
/// <param name="Rank">The device.</param>
/// <param name="Layer">The layer the tiles belong to (<see cref="TileKey.Layer"/>).</param>
/// <param name="Phase">The collective within the layer.</param>
/// <param name="BytesSent">Payload bytes sent, as encoded on the link (<see cref="TileCodec.EncodedBytes"/>: 4 per value in fp32, 2 in bf16, 1 per value + 4 per block of 32 in int8; no headers).</param>
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
