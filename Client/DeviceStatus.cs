using Galaxy.Grains;

namespace Galaxy.Client;

/// <summary>One device's silo as the cluster's membership table lists it, with what the cluster knows about the device.</summary>
/// <param name="Device">The device name (the silo name).</param>
/// <param name="Silo">The silo's address (ip:port).</param>
/// <param name="Host">The machine's host name.</param>
/// <param name="Status">Orleans membership status: Active, Joining, ShuttingDown, Dead, ….</param>
/// <param name="StartedUtc">When the silo started.</param>
/// <param name="Placeable">True when the coordinator sees the device's metadata and can place shards on it.</param>
/// <param name="Models">Models with a shard grain active on this device now.</param>
/// <param name="Profile">The profile the device measured when its silo started (from the registry), or null while the coordinator has none.</param>
/// <param name="Slices">The weight slices the device holds in memory now.</param>
/// <param name="Error">Null, or why the device could not be asked for its slices.</param>
public sealed record DeviceStatus(
    string Device,
    string Silo,
    string Host,
    string Status,
    DateTime StartedUtc,
    bool Placeable,
    IReadOnlyList<string> Models,
    DeviceProfile? Profile,
    IReadOnlyList<LoadedSlice> Slices,
    string? Error);
