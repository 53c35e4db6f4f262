using System.Diagnostics;
using System.Globalization;
using Galaxy.Benchmarks.Models;
using Galaxy.Benchmarks.Onnx;
using Galaxy.Kernels.Threading;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// The <c>model --phases</c> measurement: Galaxy's forward split into <see cref="EncoderPhase"/>s by the bench-side
/// <see cref="EncoderPhaseProfiler"/> (checked bit for bit against <c>Encoder.Forward</c> first), next to
/// ONNX Runtime's own per-operator profile of the same case.
/// </summary>
/// <remarks>
/// The encoder, the profiler allocating per forward and the profiler with reused buffers run in turns, forward by
/// forward, so machine noise weighs on the three alike; each phase's figure is its median over the forwards. Unlike
/// the comparison, rounds disturbed by other processes are counted (see <see cref="CpuPressure"/>) but not retried,
/// and ONNX Runtime's profile is taken afterwards: read the shares, and the absolute times only on a quiet machine.
/// </remarks>
public static class ModelPhaseBreakdown
{
    private static readonly TimeSpan TargetPerCase = TimeSpan.FromSeconds(4);
    private const int MinimumForwards = 11;
    private const int WarmUpForwards = 2;

    /// <exception cref="InvalidOperationException">The profiler's copy of the loop no longer computes what <c>Encoder.Forward</c> does.</exception>
    public static IReadOnlyList<ModelPhaseRow> Run(MiniLmWorkload workload, IReadOnlyList<ModelCase> cases, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(progress);

        var rows = new List<ModelPhaseRow>();
        for (var i = 0; i < cases.Count; i++)
        {
            var modelCase = cases[i];
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{i + 1}/{cases.Count}] phases of {MiniLmWorkload.Name} {modelCase}"));
            rows.Add(Measure(workload, modelCase, progress));
        }

        return rows;
    }

    private static ModelPhaseRow Measure(MiniLmWorkload workload, ModelCase modelCase, TextWriter progress)
    {
        using var pool = new KernelThreads(modelCase.Threads);
        var ids = workload.TokenIds(modelCase.Sequence);
        using var encoder = workload.CreateGalaxy(modelCase, pool);
        var fresh = new EncoderPhaseProfiler(workload.Model.Weights, ids, pool, reuseBuffers: false);
        var reused = new EncoderPhaseProfiler(workload.Model.Weights, ids, pool, reuseBuffers: true);

        var scratch = new double[EncoderPhaseProfiler.PhaseCount];
        encoder.Run();
        var start = Stopwatch.GetTimestamp();
        encoder.Run();
        var single = Stopwatch.GetElapsedTime(start);
        foreach (var copy in new[] { fresh, reused })
        {
            var output = copy.Forward(scratch);
            if (!output.AsSpan().SequenceEqual(encoder.Output))
            {
                throw new InvalidOperationException(
                    $"The phase profiler's copy of the encoder loop no longer matches Encoder.Forward on {modelCase} " +
                    $"(max abs difference {OutputAgreement.WorstAbsoluteError(output, encoder.Output):G3}); update EncoderPhaseProfiler.");
            }
        }

        var forwards = Math.Max(MinimumForwards, (int)(TargetPerCase / (3 * single)));
        var encoderMilliseconds = new double[forwards];
        var freshPhases = new double[forwards][];
        var reusedPhases = new double[forwards][];
        var contended = 0;
        for (var f = -WarmUpForwards; f < forwards; f++)
        {
            var stalledBefore = CpuPressure.Stalled();
            start = Stopwatch.GetTimestamp();
            encoder.Run();
            var encoderTime = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var freshTime = new double[EncoderPhaseProfiler.PhaseCount];
            fresh.Forward(freshTime);
            var reusedTime = new double[EncoderPhaseProfiler.PhaseCount];
            reused.Forward(reusedTime);
            if (f >= 0)
            {
                contended += (CpuPressure.Stalled() - stalledBefore) / Stopwatch.GetElapsedTime(start) > InterleavedSampler.ContendedStallFraction ? 1 : 0;
                encoderMilliseconds[f] = encoderTime;
                freshPhases[f] = freshTime;
                reusedPhases[f] = reusedTime;
            }
        }

        var (operators, anchorRun) = OrtOperatorProfile.Measure(workload.Files.OnnxPath, ids, modelCase.Threads, WarmUpForwards, forwards);
        progress.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"    {forwards} forwards per variant; the profiler's copy matches Encoder.Forward bit for bit; rounds contended by other processes: {(CpuPressure.IsAvailable ? contended.ToString(CultureInfo.InvariantCulture) : "unknown")} of {forwards}"));
        return new ModelPhaseRow(
            modelCase,
            InterleavedSampler.Median(encoderMilliseconds),
            PhaseMedians(freshPhases),
            InterleavedSampler.Median([.. freshPhases.Select(phases => phases.Sum() * 1e3)]),
            PhaseMedians(reusedPhases),
            InterleavedSampler.Median([.. reusedPhases.Select(phases => phases.Sum() * 1e3)]),
            operators,
            anchorRun);
    }

    private static double[] PhaseMedians(double[][] forwards) =>
        [.. Enumerable.Range(0, EncoderPhaseProfiler.PhaseCount).Select(p => InterleavedSampler.Median([.. forwards.Select(seconds => seconds[p] * 1e3)]))];
}
