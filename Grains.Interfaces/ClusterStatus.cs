namespace Galaxy.Grains;

/// <summary>The cluster as one coordinator sees it: its live devices, their profiles and slices, and the links measured so far.</summary>
/// <param name="Model">The coordinator's model id.</param>
/// <param name="Coordinator">The silo the coordinator runs on.</param>
/// <param name="Devices">Live devices, sorted by name.</param>
/// <param name="Links">The last measurement of each directed link between live devices (empty until links are measured).</param>
[GenerateSerializer, Immutable, Alias("galaxy.cluster-status")]
public sealed record ClusterStatus(
    [property: Id(0)] string Model,
    [property: Id(1)] string Coordinator,
    [property: Id(2)] IReadOnlyList<DeviceStatus> Devices,
    [property: Id(3)] IReadOnlyList<LinkProfile> Links);
