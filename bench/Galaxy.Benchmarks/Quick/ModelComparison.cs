using System.Globalization;
using Galaxy.Benchmarks.Models;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// Galaxy's encoder against ONNX Runtime on the whole all-MiniLM-L6-v2, case by case: check that both give the
/// same last hidden state (within <see cref="OutputAgreement.AbsoluteTolerance"/>), then time them interleaved
/// with the same <see cref="InterleavedSampler"/> as the kernel and op comparisons.
/// </summary>
public static class ModelComparison
{
    /// <param name="workload">The loaded model and its inputs.</param>
    /// <param name="settings">Cases and sampling plan.</param>
    /// <param name="progress">Where a line per case goes while the run is under way.</param>
    public static ModelComparisonOutcome Run(MiniLmWorkload workload, ModelComparisonSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);

        var sampler = new InterleavedSampler(settings.Plan);
        var rows = new List<ModelComparisonRow>();
        var mismatches = new List<string>();
        var contended = 0;
        var batches = 0;
        var pools = settings.Cases.Select(c => c.Threads).Distinct().ToDictionary(count => count, count => new KernelThreads(count));
        try
        {
            for (var i = 0; i < settings.Cases.Count; i++)
            {
                var modelCase = settings.Cases[i];
                var name = string.Create(CultureInfo.InvariantCulture, $"{MiniLmWorkload.Name} seq {modelCase.Sequence}, {modelCase.Threads} thread(s)");
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{i + 1}/{settings.Cases.Count}] {name}"));
                using var galaxy = workload.CreateGalaxy(modelCase, pools[modelCase.Threads]);
                using var anchor = workload.CreateAnchor(modelCase);

                if (!OutputAgreement.AgreeAbsolutely(name, "last_hidden_state", galaxy, anchor, mismatches, out var error))
                {
                    continue;
                }

                var timing = sampler.Measure(galaxy, anchor);
                contended += timing.GalaxyContended + timing.AnchorContended;
                batches += 2 * timing.Samples;
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    outputs agree (max abs error {error:G2}); {timing.Describe()}"));
                rows.Add(new ModelComparisonRow(
                    MiniLmWorkload.Name,
                    modelCase.Sequence,
                    modelCase.Threads,
                    timing.GalaxySeconds * 1e3,
                    anchor.Name,
                    timing.AnchorSeconds * 1e3));
            }
        }
        finally
        {
            foreach (var pool in pools.Values)
            {
                pool.Dispose();
            }
        }

        return new ModelComparisonOutcome(rows, mismatches, contended, batches);
    }
}
