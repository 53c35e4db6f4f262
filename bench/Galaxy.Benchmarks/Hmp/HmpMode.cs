using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Benchmarks.Hmp;

/// <summary>One way of running the layers in the <c>hmp</c> benchmark: a name, a link precision and the plan they stand for.</summary>
/// <param name="Name">The name in tables and JSON: <c>local</c>, <c>megatron</c>, <c>sp</c>, <c>galaxy-no-overlap</c>, <c>galaxy</c>, with <c>-t{rows}</c> for sub-chunk tiles.</param>
/// <param name="Mode">The executor's mode.</param>
/// <param name="Overlap">Whether GEMM tiles overlap the ring (only Hybrid has callbacks to overlap).</param>
/// <param name="TileRows">Rows per tile; 0 sends each chunk whole.</param>
/// <param name="Precision">How tiles are encoded on the links.</param>
public sealed record HmpMode(string Name, ParallelMode Mode, bool Overlap, int TileRows, LinkPrecision Precision = LinkPrecision.Fp32)
{
    /// <summary>The one-device anchor (nothing crosses a link, so its precision does not matter).</summary>
    public static HmpMode Local { get; } = new("local", ParallelMode.Hybrid, false, 0);

    /// <summary>Whether this is Galaxy's hybrid schedule (the modes a hidden share is defined for).</summary>
    public bool IsHybrid => Mode == ParallelMode.Hybrid && this != Local;

    /// <summary>Name and precision: what identifies this mode's samples within a group.</summary>
    public string Key => $"{Name}/{LinkPrecisionNames.Of(Precision)}";

    /// <summary>For an overlapped hybrid mode, the key of the same plan without overlap (its communication-time reference).</summary>
    public string? ReferenceKey => IsHybrid && Overlap
        ? $"{Name.Replace("galaxy", "galaxy-no-overlap", StringComparison.Ordinal)}/{LinkPrecisionNames.Of(Precision)}"
        : null;

    /// <summary>
    /// The modes compared on N devices, for each link precision: the baselines, then Galaxy without and with overlap
    /// for each tile size.
    /// </summary>
    public static IReadOnlyList<HmpMode> ForDevices(IReadOnlyList<int> tileRows, IReadOnlyList<LinkPrecision> precisions)
    {
        ArgumentNullException.ThrowIfNull(tileRows);
        ArgumentNullException.ThrowIfNull(precisions);
        var modes = new List<HmpMode>();
        foreach (var precision in precisions)
        {
            modes.Add(new HmpMode("megatron", ParallelMode.MegatronTensor, false, 0, precision));
            modes.Add(new HmpMode("sp", ParallelMode.Sequence, false, 0, precision));
            foreach (var tile in tileRows)
            {
                var suffix = tile == 0 ? string.Empty : $"-t{tile}";
                modes.Add(new HmpMode("galaxy-no-overlap" + suffix, ParallelMode.Hybrid, false, tile, precision));
                modes.Add(new HmpMode("galaxy" + suffix, ParallelMode.Hybrid, true, tile, precision));
            }
        }

        return modes;
    }

    /// <summary>The plan of this mode on <paramref name="devices"/> devices (even shares).</summary>
    public ParallelPlan Plan(int devices, ModelConfig config, int sequence) =>
        this == Local
            ? ParallelPlan.Local(config, sequence)
            : ParallelPlan.Uniform(Mode, devices, config, sequence, Overlap, TileRows) with { Precision = Precision };
}
