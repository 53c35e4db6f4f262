namespace Galaxy.Grains.Planning;

/// <summary>A device the plan leaves out, and why.</summary>
/// <param name="Device">The device name.</param>
/// <param name="Reason">Why, with the numbers (memory needed vs budget, or the predicted latency with and without it).</param>
public sealed record ExcludedDevice(string Device, string Reason);
