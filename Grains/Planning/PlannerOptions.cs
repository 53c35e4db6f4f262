using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>How <see cref="HeterogeneousPlanner"/> plans and what the cost model assumes.</summary>
public sealed record PlannerOptions
{
    /// <summary>What to plan (default Galaxy's plan).</summary>
    public PlanStrategy Strategy { get; init; } = PlanStrategy.Galaxy;

    /// <summary>MLP columns are given out in multiples of this (the GEMM tiles' width); one device also takes the remainder of F. Default 8.</summary>
    public int ColumnGranularity { get; init; } = 8;

    /// <summary>Bytes per value on the links: 4 for fp32 tiles (default), 2 for bf16, 1.125 for int8 blocks of 32.</summary>
    public double BytesPerElement { get; init; } = 4;

    /// <summary>The collective algorithm, or null to let the cost model choose ring or direct per plan (default).</summary>
    public CollectiveAlgorithm? Exchange { get; init; }

    /// <summary>Whether plans pipeline GEMM tiles with communication (default true).</summary>
    public bool Overlap { get; init; } = true;

    /// <summary>Memory every device spends before any weight: the .NET runtime, the silo, the kernels' pools. Default 256 MiB.</summary>
    public long RuntimeOverheadBytes { get; init; } = 256L << 20;

    /// <summary>Whether BERT checkpoints carry a pooler (H × H + H) that every device loads. Default true.</summary>
    public bool BertPooler { get; init; } = true;

    /// <summary>Fixed time per request outside the layers (fan-out, result assembly), added to every prediction. Default 0.</summary>
    public double RequestOverheadSeconds { get; init; }

    /// <summary>
    /// CPU seconds a device spends on each message it sends and on each it receives, before bytes (framing, socket
    /// calls, waking the receiver). Default 46 µs, for the default tile sockets: the cluster benchmark (`cluster --quick
    /// --transport sockets`, three silos on this 2-core machine) measured ~20 ms more CPU per MiniLM request for 144
    /// frames of 64 KB and ~14 ms per BERT-large request for 48 frames of 341 KB; less ~3 ms of control-plane calls
    /// per request that leaves ~0.12 and ~0.23 ms per frame for both ends together, i.e. 92 µs + 0.39 ns/B, halved per
    /// end. With grain calls (`--tile-transport grain-calls`) the same measurement gave 90 µs and 0.9 ns/B per end.
    /// </summary>
    public double MessageCpuSeconds { get; init; } = 46e-6;

    /// <summary>
    /// CPU seconds per payload byte a device spends on each message it sends or receives (copies, socket write or
    /// read). Default 0.2 ns/B: half the ~0.39 ns/B slope between the 64 KB and 341 KB frames above (grain calls: 0.9 ns/B).
    /// </summary>
    public double MessageCpuSecondsPerByte { get; init; } = 0.2e-9;

    /// <summary>
    /// Whether the Galaxy and planned-Megatron strategies choose the fastest subset of the devices (default) or give every
    /// device a share (sized to it; a share may still be empty), e.g. to show the split across every device.
    /// </summary>
    public bool SelectDevices { get; init; } = true;

    /// <summary>Up to this many devices every subset is evaluated (exact); above it a deterministic search over speed-ordered prefixes. Default 8.</summary>
    public int ExhaustiveSubsetLimit { get; init; } = 8;

    /// <summary>Throws unless every option is in range.</summary>
    /// <exception cref="ArgumentException">The message names the option and its value.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Strategy))
        {
            throw new ArgumentException($"Unknown plan strategy {(int)Strategy}.");
        }

        if (ColumnGranularity < 1)
        {
            throw new ArgumentException($"The column granularity must be ≥ 1, got {ColumnGranularity}.");
        }

        if (!double.IsFinite(BytesPerElement) || BytesPerElement <= 0)
        {
            throw new ArgumentException($"Bytes per element must be finite and > 0, got {BytesPerElement}.");
        }

        if (Exchange is { } exchange && !Enum.IsDefined(exchange))
        {
            throw new ArgumentException($"Unknown collective algorithm {(int)exchange}.");
        }

        if (RuntimeOverheadBytes < 0)
        {
            throw new ArgumentException($"The runtime overhead must be ≥ 0 bytes, got {RuntimeOverheadBytes}.");
        }

        if (!double.IsFinite(RequestOverheadSeconds) || RequestOverheadSeconds < 0)
        {
            throw new ArgumentException($"The request overhead must be finite and ≥ 0 s, got {RequestOverheadSeconds}.");
        }

        if (!double.IsFinite(MessageCpuSeconds) || MessageCpuSeconds < 0)
        {
            throw new ArgumentException($"The CPU time per message must be finite and ≥ 0 s, got {MessageCpuSeconds}.");
        }

        if (!double.IsFinite(MessageCpuSecondsPerByte) || MessageCpuSecondsPerByte < 0)
        {
            throw new ArgumentException($"The CPU time per message byte must be finite and ≥ 0 s, got {MessageCpuSecondsPerByte}.");
        }

        if (ExhaustiveSubsetLimit is < 1 or > 16)
        {
            throw new ArgumentException($"The exhaustive subset limit must be 1 … 16 devices, got {ExhaustiveSubsetLimit}.");
        }
    }
}
