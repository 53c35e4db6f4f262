using Galaxy.Kernels.Model;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// How one request is split: the mode, each device's share (device d is ring rank d; devices hold
/// contiguous ranges in rank order), and how the overlap scheduler tiles the collectives.
/// </summary>
/// <param name="Mode">The parallel scheme.</param>
/// <param name="Shares">Per device: heads, MLP columns, rows. Hybrid and Megatron split heads and columns; Hybrid and Sequence split rows (Megatron uses the rows only to chunk its AllReduce).</param>
/// <param name="Overlap">Pipeline GEMM tiles with the ring steps (Galaxy) or run them one after the other.</param>
/// <param name="TileRows">Rows per tile inside a chunk; 0 sends each chunk whole.</param>
public sealed record ParallelPlan(ParallelMode Mode, IReadOnlyList<DeviceShare> Shares, bool Overlap = true, int TileRows = 0)
{
    public int Devices => Shares.Count;

    /// <summary>How the collectives move chunks: around a ring (default) or straight to the device that needs them.</summary>
    public CollectiveAlgorithm Exchange { get; init; } = CollectiveAlgorithm.Ring;

    /// <summary>How tiles are encoded where they cross a link (<see cref="TileCodec"/>): fp32 (default, exact), bf16 or int8 (lossy, fewer bytes).</summary>
    public LinkPrecision Precision { get; init; } = LinkPrecision.Fp32;

    /// <summary>What the request returns (default: the last hidden state, each device its rows) and so which devices run the head.</summary>
    public ParallelOutput Output { get; init; } = ParallelOutput.HiddenStates;

    /// <summary>
    /// The device that computes a single-vector <see cref="Output"/>: the first device with rows (it holds row 0) for
    /// <see cref="ParallelOutput.MeanPooled"/> and <see cref="ParallelOutput.Pooler"/>, the last device with rows
    /// (row S − 1) for <see cref="ParallelOutput.NextTokenLogits"/>; null for token-wise outputs or a plan without rows.
    /// </summary>
    public int? OutputDevice
    {
        get
        {
            var owners = Enumerable.Range(0, Shares.Count).Where(d => Shares[d].Rows > 0).ToList();
            if (owners.Count == 0)
            {
                return null;
            }

            return Output switch
            {
                ParallelOutput.MeanPooled or ParallelOutput.Pooler => owners[0],
                ParallelOutput.NextTokenLogits => owners[^1],
                _ => null,
            };
        }
    }

    /// <summary>Sequence rows of each device, in rank order.</summary>
    public int[] RowChunks => [.. Shares.Select(s => s.Rows)];

    /// <summary>One device doing everything.</summary>
    public static ParallelPlan Local(ModelConfig config, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ParallelPlan(ParallelMode.Hybrid, [new DeviceShare(config.Heads, config.IntermediateSize, sequenceLength)]);
    }

    /// <summary>An even split (remainders to the first devices) of heads, columns and rows over <paramref name="devices"/>.</summary>
    public static ParallelPlan Uniform(ParallelMode mode, int devices, ModelConfig config, int sequenceLength, bool overlap = true, int tileRows = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        var shares = Enumerable.Range(0, devices).Select(d =>
            new DeviceShare(EvenPart(config.Heads, devices, d), EvenPart(config.IntermediateSize, devices, d), EvenPart(sequenceLength, devices, d)));
        return new ParallelPlan(mode, [.. shares], overlap, tileRows);
    }

    /// <summary>Throws, before any compute, unless the shares tile the model and the sequence exactly.</summary>
    /// <exception cref="ArgumentException">A share is negative, the shares do not sum to the model's heads / columns or the sequence length, or the tiling is invalid; the message gives the numbers.</exception>
    public void Validate(ModelConfig config, int sequenceLength)
    {
        ValidateModelSplit(config);
        Check(Shares.Sum(s => s.Rows), sequenceLength, "rows", "the sequence length");
    }

    /// <summary>Throws unless the shares split the model's heads and MLP columns exactly (what loading the devices' weights needs).</summary>
    /// <exception cref="ArgumentException">No devices, a negative share, bad tiling, an unknown precision or exchange, an output the model has no head for, or heads / columns that do not sum to the model's.</exception>
    public void ValidateModelSplit(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Shares.Count == 0)
        {
            throw new ArgumentException("A plan needs at least one device.");
        }

        if (TileRows < 0)
        {
            throw new ArgumentException($"Tile rows must be ≥ 0 (0 = whole chunks), got {TileRows}.");
        }

        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentException($"Unknown link precision {(int)Precision}: use fp32, bf16 or int8.");
        }

        if (!Enum.IsDefined(Exchange))
        {
            throw new ArgumentException($"Unknown collective algorithm {(int)Exchange}: use Ring or Direct.");
        }

        ValidateOutput(config);

        for (var d = 0; d < Shares.Count; d++)
        {
            var share = Shares[d];
            if (share.Heads < 0 || share.MlpColumns < 0 || share.Rows < 0)
            {
                throw new ArgumentException($"Device {d} has a negative share ({share.Heads} heads, {share.MlpColumns} MLP columns, {share.Rows} rows).");
            }
        }

        if (Mode != ParallelMode.Sequence)
        {
            Check(Shares.Sum(s => s.Heads), config.Heads, "heads", "the model's heads");
            Check(Shares.Sum(s => s.MlpColumns), config.IntermediateSize, "MLP columns", "the model's MLP columns");
        }
    }

    /// <summary>Throws unless the model has the head <see cref="Output"/> needs (whether the checkpoint has a pooler is checked where the weights are).</summary>
    /// <exception cref="ArgumentException">An unknown output, logits of an encoder, or a pooler of a decoder.</exception>
    public void ValidateOutput(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        switch (Output)
        {
            case ParallelOutput.HiddenStates or ParallelOutput.MeanPooled:
                break;
            case ParallelOutput.Pooler when config.IsDecoder:
                throw new ArgumentException($"The Pooler output is BERT's pooler, but {config.Architecture} is a decoder (use HiddenStates, MeanPooled, TokenLogits or NextTokenLogits).");
            case ParallelOutput.TokenLogits or ParallelOutput.NextTokenLogits when !config.IsDecoder:
                throw new ArgumentException($"The {Output} output needs a decoder's LM head, but {config.Architecture} is an encoder (use HiddenStates, MeanPooled or Pooler).");
            case ParallelOutput.Pooler or ParallelOutput.TokenLogits or ParallelOutput.NextTokenLogits:
                break;
            default:
                throw new ArgumentException($"Unknown output {(int)Output}: use HiddenStates, MeanPooled, Pooler, TokenLogits or NextTokenLogits.");
        }
    }

    /// <summary>The slice of every layer device <paramref name="device"/> holds (all of it under sequence parallelism).</summary>
    public LayerSlice SliceOf(int device, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Mode == ParallelMode.Sequence)
        {
            return LayerSlice.Whole(config);
        }

        var headStart = Shares.Take(device).Sum(s => s.Heads);
        var columnStart = Shares.Take(device).Sum(s => s.MlpColumns);
        return new LayerSlice(headStart, headStart + Shares[device].Heads, columnStart, columnStart + Shares[device].MlpColumns);
    }

    /// <summary>First sequence row of device <paramref name="device"/>.</summary>
    public int RowStart(int device) => Shares.Take(device).Sum(s => s.Rows);

    private static int EvenPart(int total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);

    private void Check(int actual, int expected, string what, string against)
    {
        if (actual != expected)
        {
            var each = string.Join(" + ", Shares.Select(s => what switch
            {
                "rows" => s.Rows,
                "heads" => s.Heads,
                _ => s.MlpColumns,
            }));
            throw new ArgumentException($"The devices' {what} sum to {actual} ({each}) but {against} is {expected}.");
        }
    }
}
