using System.Globalization;

namespace Galaxy.Client.Evaluation;

/// <summary>One emulated device of a setup: its CPU share, link and memory budget.</summary>
/// <param name="Name">Device name (silo device and testbed namespace).</param>
/// <param name="CpuPercent">CPU quota in percent of one core (100 = one core).</param>
/// <param name="Link">Its link rate as written (e.g. "100mbit").</param>
/// <param name="LinkBitsPerSecond">The link rate in bit/s.</param>
/// <param name="Delay">Its link's one-way delay as written (e.g. "2ms", "0").</param>
/// <param name="MemoryBudgetBytes">The memory budget its silo announces to the planner, or null for what the silo detects.</param>
public sealed record SetupDevice(string Name, double CpuPercent, string Link, long LinkBitsPerSecond, string Delay, long? MemoryBudgetBytes)
{
    /// <summary>The device as <c>testbed up --devices</c> takes it, with <paramref name="link"/> instead of its own link when given.</summary>
    public string TestbedSpec(string? link = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}:{CpuPercent:0.#}%:{link ?? Link}:{Delay}");
}
