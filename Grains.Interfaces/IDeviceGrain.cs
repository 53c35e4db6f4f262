using Orleans.Concurrency;

namespace Galaxy.Grains;

/// <summary>
/// One device's own agent, placed on that device's silo: it reports what the device holds and measures the
/// device's links by ping-pong with another device's agent. Key: "device/{device}" (<see cref="DeviceKeys.Agent"/>).
/// </summary>
[Alias("galaxy.IDeviceGrain")]
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>The weight slices the device holds in memory now.</summary>
    [Alias("loaded"), AlwaysInterleave]
    Task<IReadOnlyList<LoadedSlice>> GetLoadedAsync();

    /// <summary>The profile the device measured when its silo started.</summary>
    [Alias("profile"), AlwaysInterleave]
    Task<DeviceProfile?> GetProfileAsync();

    /// <summary>Measures the link from this device to <paramref name="peer"/> (see <see cref="LinkProfile"/>).</summary>
    /// <param name="peer">The other device's name.</param>
    /// <param name="payloadBytes">The bandwidth payload's size, a multiple of 4 in 4 … 64 MiB.</param>
    /// <exception cref="ArgumentException">The peer is this device, or the payload size is out of range.</exception>
    [Alias("measure-link")]
    Task<LinkProfile> MeasureLinkAsync(string peer, int payloadBytes);

    /// <summary>Takes a payload and answers with its length: the far end of a link measurement.</summary>
    [Alias("accept"), AlwaysInterleave]
    Task<int> AcceptAsync(TensorPayload payload);

    /// <summary>"host:port" where this device's silo takes tile frames from its peers (its tile socket hub).</summary>
    [Alias("tile-endpoint"), AlwaysInterleave]
    Task<string> GetTileEndpointAsync();
}
