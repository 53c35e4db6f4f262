using System.Globalization;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// Galaxy's transformer ops against their ONNX Runtime one-node counterparts, case by case: check that both
/// give the same output (within <see cref="OutputAgreement.AbsoluteTolerance"/>), then time them interleaved
/// with the same <see cref="InterleavedSampler"/> as the GEMM comparison.
/// </summary>
public static class OpsComparison
{
    /// <param name="settings">Cases and sampling plan.</param>
    /// <param name="progress">Where a line per case goes while the run is under way.</param>
    public static OpsComparisonOutcome Run(OpsComparisonSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);

        var sampler = new InterleavedSampler(settings.Plan);
        var rows = new List<OpComparisonRow>();
        var mismatches = new List<string>();
        var contended = 0;
        var batches = 0;
        var pools = settings.Cases.Select(c => c.Threads).Distinct().ToDictionary(count => count, count => new KernelThreads(count));
        try
        {
            for (var i = 0; i < settings.Cases.Count; i++)
            {
                var opCase = settings.Cases[i];
                var name = string.Create(CultureInfo.InvariantCulture, $"{opCase.Op} {opCase.Shape}, {opCase.Threads} thread(s)");
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{i + 1}/{settings.Cases.Count}] {name}"));
                using var galaxy = opCase.CreateGalaxy(pools[opCase.Threads]);
                using var anchor = opCase.CreateAnchor();

                if (!OutputAgreement.AgreeAbsolutely(name, "output", galaxy, anchor, mismatches, out var error))
                {
                    continue;
                }

                var timing = sampler.Measure(galaxy, anchor);
                contended += timing.GalaxyContended + timing.AnchorContended;
                batches += 2 * timing.Samples;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    outputs agree (max abs error {error:G2}); {timing.Describe()}"));
                rows.Add(new OpComparisonRow(
                    opCase.Op,
                    opCase.Shape,
                    opCase.Threads,
                    timing.GalaxySeconds * 1e6,
                    anchor.Name,
                    timing.AnchorSeconds * 1e6));
            }
        }
        finally
        {
            foreach (var pool in pools.Values)
            {
                pool.Dispose();
            }
        }

        return new OpsComparisonOutcome(rows, mismatches, contended, batches);
    }
}
