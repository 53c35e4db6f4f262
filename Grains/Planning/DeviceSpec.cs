namespace Galaxy.Grains.Planning;

/// <summary>
/// One device as the planner sees it for one model: its measured speed on the model's blocks, its memory budget and
/// (optionally) its uplink to the local network. Built from a silo's <see cref="DeviceProfile"/>
/// (<see cref="ProfileAdapter"/>) or from a profiles file (<see cref="ProfileFile"/>).
/// </summary>
/// <param name="Name">The device name.</param>
/// <param name="Gemm">The four GEMMs' rates at the model's shapes.</param>
/// <param name="Attention">Attention rates by sequence length (any order, at least one).</param>
/// <param name="ConnectiveRowsPerSecond">Rows per second of the connective block (residual + bias + LayerNorm over H values).</param>
/// <param name="MemoryBudgetBytes">Memory the device may use for Galaxy: runtime, weights, activations, KV cache.</param>
public sealed record DeviceSpec(string Name, GemmRates Gemm, IReadOnlyList<AttentionRate> Attention, double ConnectiveRowsPerSecond, long MemoryBudgetBytes)
{
    /// <summary>The device's link to the switch, when known; the path to another device is <see cref="LinkSpec.Between"/> the two.</summary>
    public LinkSpec? Uplink { get; init; }

    /// <summary>The physical machine the device runs on; devices with the same host share its CPUs. Null: a host of its own.</summary>
    public string? Host { get; init; }

    /// <summary>CPUs of <see cref="Host"/> (its affinity mask), or null when unknown (then no contention is assumed on it).</summary>
    public int? HostProcessorCount { get; init; }

    /// <summary>The device's CPU quota in cores (cgroup), or null when unlimited. Its measured rates already run under it.</summary>
    public double? CpuQuotaCores { get; init; }

    /// <summary>The device's kernel threads, or null when unknown (then it is taken to use every core it may).</summary>
    public int? KernelThreads { get; init; }

    /// <summary>
    /// Cores the device keeps busy while it computes: min(kernel threads, quota, the host's CPUs), each when known —
    /// what it competes for with the other devices on its host.
    /// </summary>
    public double CoreDemand(double hostProcessors) =>
        Math.Min(Math.Min(KernelThreads ?? double.PositiveInfinity, CpuQuotaCores ?? double.PositiveInfinity), hostProcessors);

    /// <summary>
    /// The share of one core its messaging (a single thread's work at a time) gets: min(1, quota). A device with half a
    /// core takes twice the time for the same message CPU.
    /// </summary>
    public double MessagingCores => Math.Min(1, CpuQuotaCores ?? 1);

    /// <summary>Throws unless every rate is positive and finite, the name non-empty and the budget ≥ 0.</summary>
    /// <exception cref="ArgumentException">The message names the device and the bad value.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("A device needs a name.");
        }

        if (!Gemm.IsValid)
        {
            throw new ArgumentException($"Device '{Name}': GEMM rates must be finite and > 0, got {Gemm}.");
        }

        if (Attention is null || Attention.Count == 0)
        {
            throw new ArgumentException($"Device '{Name}': at least one attention rate is needed.");
        }

        foreach (var rate in Attention)
        {
            if (rate.SequenceLength < 1 || !double.IsFinite(rate.FlopsPerSecond) || rate.FlopsPerSecond <= 0)
            {
                throw new ArgumentException($"Device '{Name}': attention rate {rate.FlopsPerSecond} FLOP/s at S = {rate.SequenceLength} is not a positive rate at a positive length.");
            }
        }

        if (!double.IsFinite(ConnectiveRowsPerSecond) || ConnectiveRowsPerSecond <= 0)
        {
            throw new ArgumentException($"Device '{Name}': the connective rate must be finite and > 0 rows/s, got {ConnectiveRowsPerSecond}.");
        }

        if (MemoryBudgetBytes < 0)
        {
            throw new ArgumentException($"Device '{Name}': the memory budget must be ≥ 0, got {MemoryBudgetBytes}.");
        }

        if (HostProcessorCount is < 1)
        {
            throw new ArgumentException($"Device '{Name}': its host's CPU count must be ≥ 1, got {HostProcessorCount}.");
        }

        if (CpuQuotaCores is { } quota && (!double.IsFinite(quota) || quota <= 0))
        {
            throw new ArgumentException($"Device '{Name}': its CPU quota must be finite and > 0 cores (null for none), got {quota}.");
        }

        if (KernelThreads is < 1)
        {
            throw new ArgumentException($"Device '{Name}': its kernel threads must be ≥ 1, got {KernelThreads}.");
        }

        if (Host is not null && string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException($"Device '{Name}': a host, when given, needs a non-empty name.");
        }

        if (Uplink is { IsValid: false })
        {
            throw new ArgumentException($"Device '{Name}': its link needs a bandwidth > 0 and a latency ≥ 0, got {Uplink}.");
        }
    }

    /// <summary>
    /// Attention FLOP/s at <paramref name="sequenceLength"/>: interpolated linearly in log S between the two measured
    /// lengths around it, the nearest measurement outside them.
    /// </summary>
    public double AttentionFlopsPerSecond(int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        AttentionRate? below = null;
        AttentionRate? above = null;
        foreach (var rate in Attention)
        {
            if (rate.SequenceLength <= sequenceLength && (below is null || rate.SequenceLength > below.Value.SequenceLength))
            {
                below = rate;
            }

            if (rate.SequenceLength >= sequenceLength && (above is null || rate.SequenceLength < above.Value.SequenceLength))
            {
                above = rate;
            }
        }

        if (below is null)
        {
            return above!.Value.FlopsPerSecond;
        }

        if (above is null || above.Value.SequenceLength == below.Value.SequenceLength)
        {
            return below.Value.FlopsPerSecond;
        }

        var t = Math.Log((double)sequenceLength / below.Value.SequenceLength) / Math.Log((double)above.Value.SequenceLength / below.Value.SequenceLength);
        return below.Value.FlopsPerSecond + (t * (above.Value.FlopsPerSecond - below.Value.FlopsPerSecond));
    }

    /// <summary>This device with every compute rate multiplied by <paramref name="factor"/> (a calibration from measured runs).</summary>
    public DeviceSpec Scaled(double factor)
    {
        if (!double.IsFinite(factor) || factor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "A speed factor must be finite and > 0.");
        }

        return this with
        {
            Gemm = Gemm.Scaled(factor),
            Attention = [.. Attention.Select(a => a with { FlopsPerSecond = a.FlopsPerSecond * factor })],
            ConnectiveRowsPerSecond = ConnectiveRowsPerSecond * factor,
        };
    }
}
