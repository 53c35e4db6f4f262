using System.Globalization;
using Galaxy.Benchmarks.Models;
using Spectre.Console;

namespace Galaxy.Benchmarks.Quick;

/// <summary>Writes <c>model --memory</c>: what a loaded model holds against its weight bytes, Galaxy and the ORT anchor.</summary>
public static class ModelMemoryReport
{
    /// <summary>The goal for Galaxy: a loaded model holds less than this many times its fp32 weight bytes.</summary>
    public const double TargetRatio = 1.5;

    /// <returns>True when Galaxy's loaded private memory is under <see cref="TargetRatio"/> × its weight bytes.</returns>
    public static bool Write(IReadOnlyList<LoadedMemory> rows, IAnsiConsole console, TextWriter summary)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);

        var galaxy = rows.Single(row => row.Side == "galaxy");
        var weights = galaxy.WeightBytes;
        var table = new Table()
            .AddColumn("side", c => c.NoWrap())
            .AddColumn("private Δ", c => c.RightAligned())
            .AddColumn("× weights", c => c.RightAligned())
            .AddColumn("managed Δ", c => c.RightAligned())
            .AddColumn("POH Δ", c => c.RightAligned())
            .AddColumn("GC committed Δ", c => c.RightAligned())
            .AddColumn("RssFile Δ", c => c.RightAligned())
            .AddColumn("peak private Δ", c => c.RightAligned())
            .AddColumn("× weights", c => c.RightAligned())
            .AddColumn("peak RSS Δ", c => c.RightAligned());
        foreach (var row in rows)
        {
            table.AddRow(
                row.Side,
                LoadedMemoryProbe.Mebibytes(row.PrivateBytes),
                Ratio(row.PrivateBytes, weights),
                LoadedMemoryProbe.Mebibytes(row.ManagedBytes),
                LoadedMemoryProbe.Mebibytes(row.PinnedHeapBytes),
                LoadedMemoryProbe.Mebibytes(row.GcCommittedBytes),
                LoadedMemoryProbe.Mebibytes(row.MappedFileBytes),
                LoadedMemoryProbe.Mebibytes(row.PeakPrivateBytes),
                Ratio(row.PeakPrivateBytes, weights),
                row.PeakResidentBytes < 0 ? "n/a" : LoadedMemoryProbe.Mebibytes(row.PeakResidentBytes));
        }

        console.Write(table);
        var loadedRatio = (double)galaxy.PrivateBytes / weights;
        var peakRatio = (double)galaxy.PeakPrivateBytes / weights;
        var met = loadedRatio < TargetRatio;
        summary.WriteLine(Invariant($"weights (TransformerWeights.ByteCount, fp32): {weights:N0} bytes ({LoadedMemoryProbe.Mebibytes(weights)})"));
        summary.WriteLine(Invariant(
            $"galaxy loaded: {galaxy.PrivateBytes:N0} private bytes = {loadedRatio:F3}x weights (target < {TargetRatio}x: {(met ? "met" : "NOT met")}); ") +
            Invariant($"transient peak during Load: {galaxy.PeakPrivateBytes:N0} = {peakRatio:F3}x ({(peakRatio < TargetRatio ? "under" : "over")} {TargetRatio}x)"));
        summary.WriteLine(
            "measured in a fresh child process per side, after minus before the load (Galaxy: LocalModel.Load; ORT: InferenceSession, ORT_ENABLE_ALL), " +
            "both after an aggressive full GC, with the load's code warmed up on a tiny model first: private Δ = resident anonymous memory (RssAnon, " +
            "/proc/self/status) once loaded and the weight file unmapped; managed Δ = GC.GetTotalMemory, POH Δ = pinned object heap (Galaxy's packed GEMM " +
            "weights), GC committed Δ = memory the GC holds; RssFile Δ = mapped-file pages still resident; peak private Δ = largest RssAnon sampled every " +
            "millisecond during the load; peak RSS Δ = VmHWM (reset before the load) minus VmRSS before, mapped weight file included");
        return met;
    }

    private static string Ratio(long bytes, long weights) => Invariant($"{(double)bytes / weights:F2}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
