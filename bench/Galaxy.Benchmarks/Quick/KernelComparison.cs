using System.Globalization;
using Galaxy.Benchmarks.Gemm;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Gemm;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// Galaxy's GEMM against ONNX Runtime's MatMul for every shape and thread count in the settings:
/// check that both give the same product, then time them interleaved.
/// </summary>
public static class KernelComparison
{
    /// <param name="settings">Shapes, thread counts, kernel and sampling plan.</param>
    /// <param name="progress">Where a line per case goes while the run is under way.</param>
    public static ComparisonOutcome Run(KernelComparisonSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);

        var kernel = settings.Kernel ?? GemmKernels.Best;
        var sampler = new InterleavedSampler(settings.Plan);
        var rows = new List<ComparisonRow>();
        var mismatches = new List<string>();
        var contended = 0;
        var batches = 0;
        var pools = settings.Threads.Distinct().ToDictionary(count => count, count => new KernelThreads(count));
        try
        {
            var caseNumber = 0;
            var caseCount = settings.Shapes.Count * settings.Threads.Count;
            foreach (var shape in settings.Shapes)
            {
                var operands = GemmOperands.Create(shape);
                foreach (var threads in settings.Threads)
                {
                    caseNumber++;
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{caseNumber}/{caseCount}] {shape}, {threads} thread(s)"));
                    using var galaxy = new GalaxyMatMul(operands, pools[threads], kernel);
                    using var anchor = OrtMatMul.Create(operands, threads);

                    galaxy.Run();
                    anchor.Run();
                    var error = OutputAgreement.WorstRelativeError(galaxy.Output, anchor.Output);
                    if (!(error <= OutputAgreement.Tolerance))
                    {
                        mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"{shape}, {threads} thread(s): relative error {error:G3} exceeds {OutputAgreement.Tolerance:G3}"));
                        continue;
                    }

                    var timing = sampler.Measure(galaxy, anchor);
                    contended += timing.GalaxyContended + timing.AnchorContended;
                    batches += 2 * timing.Samples;
                    progress.WriteLine($"    {timing.Describe()}");
                    rows.Add(new ComparisonRow(
                        shape.M,
                        shape.N,
                        shape.K,
                        threads,
                        shape.Flops / timing.GalaxySeconds / 1e9,
                        anchor.Name,
                        shape.Flops / timing.AnchorSeconds / 1e9));
                }
            }
        }
        finally
        {
            foreach (var pool in pools.Values)
            {
                pool.Dispose();
            }
        }

        return new ComparisonOutcome(rows, kernel, mismatches, contended, batches);
    }
}
