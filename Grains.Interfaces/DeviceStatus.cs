namespace Galaxy.Grains;

/// <summary>One live device as <c>galaxy cluster status</c> shows it.</summary>
/// <param name="Device">The device name.</param>
/// <param name="Silo">Its silo's address.</param>
/// <param name="Profile">Its published profile, or null while it has not published one yet.</param>
/// <param name="Loaded">The weight slices it holds now.</param>
/// <param name="Error">Null, or why the device could not be asked for its slices.</param>
[GenerateSerializer, Immutable, Alias("galaxy.device-status")]
public sealed record DeviceStatus(
    [property: Id(0)] string Device,
    [property: Id(1)] string Silo,
    [property: Id(2)] DeviceProfile? Profile,
    [property: Id(3)] IReadOnlyList<LoadedSlice> Loaded,
    [property: Id(4)] string? Error);
