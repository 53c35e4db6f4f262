namespace Galaxy.Grains;

/// <summary>
/// What one device measured about itself when its silo started: its speed on the blocks of every model it serves
/// (at the models' own shapes, on its kernel threads), its threads, its memory budget, and where it runs (the host it
/// shares with other devices, that host's CPUs, its own CPU quota). The planner reads it.
/// </summary>
/// <param name="Device">The device name.</param>
/// <param name="Silo">The address of the silo that measured it (a re-joined device has a new one).</param>
/// <param name="ProcessorCount">Logical processors the silo's process sees (.NET's count: a CPU quota rounded up).</param>
/// <param name="KernelThreads">Compute threads the device's kernels use (the measurement used them all).</param>
/// <param name="MemoryBudgetBytes">Memory the device may use for weights and activations (configured, or what the GC reports available).</param>
/// <param name="MeasuredAt">When the measurement finished.</param>
/// <param name="MeasureMilliseconds">How long the measurement took.</param>
/// <param name="Models">Per model the device serves; empty when it serves none.</param>
[GenerateSerializer, Immutable, Alias("galaxy.device-profile")]
public sealed record DeviceProfile(
    [property: Id(0)] string Device,
    [property: Id(1)] string Silo,
    [property: Id(2)] int ProcessorCount,
    [property: Id(3)] int KernelThreads,
    [property: Id(4)] long MemoryBudgetBytes,
    [property: Id(5)] DateTimeOffset MeasuredAt,
    [property: Id(6)] double MeasureMilliseconds,
    [property: Id(7)] IReadOnlyList<ModelThroughput> Models)
{
    /// <summary>
    /// The physical machine the device runs on, the same for every device on it (a hash of /etc/machine-id, else the
    /// host name; network namespaces share it); null when unknown (the device is then taken to have a host of its own).
    /// </summary>
    [Id(8)]
    public string? Host { get; init; }

    /// <summary>CPUs of the host the process may run on (its affinity mask, not reduced by a quota); 0 when unknown.</summary>
    [Id(9)]
    public int HostProcessorCount { get; init; }

    /// <summary>The device's CPU quota in cores (its cgroup's cpu.max or cfs quota / period), or null when unlimited.</summary>
    [Id(10)]
    public double? CpuQuotaCores { get; init; }

    /// <summary>The measurement for <paramref name="modelId"/>, or null when the device did not measure it.</summary>
    public ModelThroughput? For(string modelId) => Models.FirstOrDefault(m => m.ModelId == modelId);
}
