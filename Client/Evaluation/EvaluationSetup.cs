namespace Galaxy.Client.Evaluation;

/// <summary>
/// An evaluation setup: the emulated devices, optionally the device counts of a scalability sweep (the first k
/// devices), and the grid the setup runs unless the command line overrides it.
/// </summary>
/// <param name="Name">Short name, used in tables and file names.</param>
/// <param name="Description">One line on what the setup represents.</param>
/// <param name="Devices">The devices, in the order a sweep adds them.</param>
/// <param name="DeviceCounts">The device counts to run (ascending); all the devices when empty.</param>
/// <param name="Grid">The default grid.</param>
public sealed record EvaluationSetup(string Name, string Description, IReadOnlyList<SetupDevice> Devices, IReadOnlyList<int> DeviceCounts, EvaluationGrid Grid)
{
    /// <summary>The device counts this setup runs: <see cref="DeviceCounts"/>, or all devices.</summary>
    public IReadOnlyList<int> Counts => DeviceCounts.Count > 0 ? DeviceCounts : [Devices.Count];

    /// <summary>Whether this setup sweeps the device count (reported as speedup against device count).</summary>
    public bool IsSweep => Counts.Count > 1;
}
