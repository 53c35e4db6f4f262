namespace Galaxy.Client;

/// <summary>A Galaxy cluster's devices and what they serve, from <see cref="GalaxyClient.StatusAsync"/>.</summary>
/// <param name="ClusterId">The cluster id.</param>
/// <param name="Devices">Silos that are not dead, active first, then by name.</param>
/// <param name="PlaceableDevices">The devices the coordinator plans over now (an active silo whose device metadata it knows).</param>
/// <param name="DeadSilos">Silos the membership table still lists as dead (stopped or failed).</param>
public sealed record ClusterStatus(string ClusterId, IReadOnlyList<DeviceStatus> Devices, IReadOnlyList<string> PlaceableDevices, int DeadSilos);
