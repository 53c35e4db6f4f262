using Galaxy.Grains;

namespace Galaxy.Client;

/// <summary>A Galaxy cluster's devices, their profiles, what they serve and the links between them, from <see cref="GalaxyClient.StatusAsync"/>.</summary>
/// <param name="ClusterId">The cluster id.</param>
/// <param name="Model">The model whose coordinator answered (its profile shapes are the ones a status shows first).</param>
/// <param name="Devices">Silos that are not dead, active first, then by name.</param>
/// <param name="PlaceableDevices">The devices the coordinator plans over now (an active silo whose device metadata it knows).</param>
/// <param name="DeadSilos">Silos the membership table still lists as dead (stopped or failed).</param>
/// <param name="Links">
/// The last measurement of each directed link between live devices, by sender then receiver; empty until links are
/// measured (<see cref="GalaxyClient.MeasureLinksAsync"/>).
/// </param>
public sealed record ClusterStatus(
    string ClusterId,
    string Model,
    IReadOnlyList<DeviceStatus> Devices,
    IReadOnlyList<string> PlaceableDevices,
    int DeadSilos,
    IReadOnlyList<LinkProfile> Links);
