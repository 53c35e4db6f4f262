using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Benchmarks.Hmp;

/// <summary>One way of running the layers in the <c>hmp</c> benchmark: a name and the plan it stands for.</summary>
/// <param name="Name">The name in tables and JSON: <c>local</c>, <c>megatron</c>, <c>sp</c>, <c>galaxy-no-overlap</c>, <c>galaxy</c>, with <c>-t{rows}</c> for sub-chunk tiles.</param>
/// <param name="Mode">The executor's mode.</param>
/// <param name="Overlap">Whether GEMM tiles overlap the ring (only Hybrid has callbacks to overlap).</param>
/// <param name="TileRows">Rows per tile; 0 sends each chunk whole.</param>
public sealed record HmpMode(string Name, ParallelMode Mode, bool Overlap, int TileRows)
{
    /// <summary>The one-device anchor.</summary>
    public static HmpMode Local { get; } = new("local", ParallelMode.Hybrid, false, 0);

    /// <summary>Whether this is Galaxy's hybrid schedule (the modes a hidden share is defined for).</summary>
    public bool IsHybrid => Mode == ParallelMode.Hybrid && this != Local;

    /// <summary>The modes compared on N devices: the baselines, then Galaxy without and with overlap for each tile size.</summary>
    public static IReadOnlyList<HmpMode> ForDevices(IReadOnlyList<int> tileRows)
    {
        ArgumentNullException.ThrowIfNull(tileRows);
        var modes = new List<HmpMode>
        {
            new("megatron", ParallelMode.MegatronTensor, false, 0),
            new("sp", ParallelMode.Sequence, false, 0),
        };
        foreach (var tile in tileRows)
        {
            var suffix = tile == 0 ? string.Empty : $"-t{tile}";
            modes.Add(new HmpMode("galaxy-no-overlap" + suffix, ParallelMode.Hybrid, false, tile));
            modes.Add(new HmpMode("galaxy" + suffix, ParallelMode.Hybrid, true, tile));
        }

        return modes;
    }

    /// <summary>The plan of this mode on <paramref name="devices"/> devices (even shares).</summary>
    public ParallelPlan Plan(int devices, ModelConfig config, int sequence) =>
        this == Local
            ? ParallelPlan.Local(config, sequence)
            : ParallelPlan.Uniform(Mode, devices, config, sequence, Overlap, TileRows);

    /// <summary>For an overlapped hybrid mode, the name of the same plan without overlap (its communication-time reference).</summary>
    public string? ReferenceName => IsHybrid && Overlap ? Name.Replace("galaxy", "galaxy-no-overlap", StringComparison.Ordinal) : null;
}
