using System.Diagnostics;

namespace Galaxy.Benchmarks.Quick;

/// <summary>
/// Times two implementations of one kernel in turns — Galaxy batch, anchor batch, Galaxy batch, … —
/// so that whatever else the machine is doing weighs on both sides alike.
/// </summary>
/// <remarks>
/// Each batch starts with one untimed run (it wakes the side's thread pool, which went to sleep while
/// the process settled) and then times a fixed number of back-to-back runs. Between batches the
/// sampler waits for the process to go idle so one side's spinning workers never overlap the other's batch.
/// A batch during which another process kept a runnable thread waiting for a core (see
/// <see cref="CpuPressure"/>) is run again, up to <see cref="AttemptsPerSample"/> times, and the least
/// disturbed attempt is kept: both sides get the same policy, and the medians lean on quiet moments.
/// </remarks>
public sealed class InterleavedSampler(SamplingPlan plan)
{
    private const int CalibrationRuns = 5;
    private const int AttemptsPerSample = 4;

    /// <summary>Share of a batch's wall time with a task waiting for a CPU above which the batch counts as contended.</summary>
    public const double ContendedStallFraction = 0.1;

    public PairedTiming Measure(IKernelRunner galaxy, IKernelRunner anchor)
    {
        ArgumentNullException.ThrowIfNull(galaxy);
        ArgumentNullException.ThrowIfNull(anchor);

        WarmUp(galaxy, anchor);
        var galaxyRepetitions = RepetitionsPerBatch(galaxy);
        var anchorRepetitions = RepetitionsPerBatch(anchor);

        var galaxySeconds = new double[plan.Samples];
        var anchorSeconds = new double[plan.Samples];
        var galaxyContended = 0;
        var anchorContended = 0;
        for (var sample = 0; sample < plan.Samples; sample++)
        {
            galaxySeconds[sample] = TimeQuietBatch(galaxy, galaxyRepetitions, ref galaxyContended);
            anchorSeconds[sample] = TimeQuietBatch(anchor, anchorRepetitions, ref anchorContended);
        }

        return new PairedTiming(
            Median(galaxySeconds),
            Median(anchorSeconds),
            galaxyRepetitions,
            anchorRepetitions,
            galaxyContended,
            anchorContended,
            plan.Samples);
    }

    /// <summary>Middle value (mean of the two middle values for an even count); sorts <paramref name="values"/>.</summary>
    public static double Median(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private void WarmUp(IKernelRunner galaxy, IKernelRunner anchor)
    {
        // Alternate in short slices so both sides reach tier-1 code, warm caches and a steady clock together.
        var slice = TimeSpan.FromMilliseconds(25);
        var spent = TimeSpan.Zero;
        while (spent < plan.WarmUp)
        {
            RunFor(galaxy, slice);
            ProcessQuiescence.WaitUntilIdle(plan.SettleLimit);
            RunFor(anchor, slice);
            ProcessQuiescence.WaitUntilIdle(plan.SettleLimit);
            spent += slice;
        }
    }

    private int RepetitionsPerBatch(IKernelRunner runner)
    {
        ProcessQuiescence.WaitUntilIdle(plan.SettleLimit);
        runner.Run();
        var single = new double[CalibrationRuns];
        for (var i = 0; i < single.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            runner.Run();
            single[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        // The fastest run is the one least disturbed by other processes, so the batch fits its target on a quiet machine.
        return Math.Max(1, (int)Math.Round(plan.BatchTarget.TotalSeconds / single.Min()));
    }

    private double TimeQuietBatch(IKernelRunner runner, int repetitions, ref int contended)
    {
        var best = (Seconds: 0.0, Stall: double.MaxValue);
        for (var attempt = 0; attempt < AttemptsPerSample && best.Stall > ContendedStallFraction; attempt++)
        {
            if (attempt > 0)
            {
                Thread.Sleep(10 << (attempt - 1));
            }

            var batch = TimeBatch(runner, repetitions);
            if (batch.Stall < best.Stall)
            {
                best = batch;
            }
        }

        if (best.Stall > ContendedStallFraction)
        {
            contended++;
        }

        return best.Seconds;
    }

    /// <summary>Seconds per run over one batch, and the share of the batch some task spent waiting for a CPU.</summary>
    private (double Seconds, double Stall) TimeBatch(IKernelRunner runner, int repetitions)
    {
        ProcessQuiescence.WaitUntilIdle(plan.SettleLimit);
        runner.Run();
        var stalledBefore = CpuPressure.Stalled();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < repetitions; i++)
        {
            runner.Run();
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var stall = (CpuPressure.Stalled() - stalledBefore) / elapsed;
        return (elapsed.TotalSeconds / repetitions, stall);
    }

    private static void RunFor(IKernelRunner runner, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        do
        {
            runner.Run();
        }
        while (Stopwatch.GetElapsedTime(start) < duration);
    }
}
