using System.Diagnostics;
using System.Globalization;
using Galaxy.Grains;

namespace Galaxy.Client.Evaluation;

/// <summary>
/// Measures the modes on a running cluster (<c>galaxy eval measure</c>, which <c>galaxy eval</c> runs in the testbed's
/// client namespace): waits for the devices, has the registry measure the links, then per sequence length runs every
/// mode round-robin — <see cref="EvaluationGrid.Warmup"/> unrecorded rounds, then the recorded ones — so drift on the
/// machine spreads over all modes alike. A mode the memory model rejects is reported once as OOM and not run again.
/// </summary>
/// <param name="client">The connected client.</param>
/// <param name="log">Where progress notes go (not the samples).</param>
public sealed class EvaluationMeasurer(GalaxyClient client, TextWriter log)
{
    /// <summary>Token ids are drawn from [<see cref="FirstTokenId"/>, <see cref="EndTokenId"/>), inside every paper model's vocabulary.</summary>
    public const int FirstTokenId = 1000;

    /// <inheritdoc cref="FirstTokenId"/>
    public const int EndTokenId = 20000;

    /// <summary>The request of <paramref name="length"/> tokens every mode runs: seeded by the length, so runs and modes get the same input.</summary>
    public static int[] TokenIds(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var random = new Random(length);
        return [.. Enumerable.Range(0, length).Select(_ => random.Next(FirstTokenId, EndTokenId))];
    }

    /// <summary>Waits until <paramref name="devices"/> devices are placeable and have profiled <paramref name="model"/>.</summary>
    /// <exception cref="TimeoutException">They did not within <paramref name="timeout"/>; the message says how many did.</exception>
    public async Task WaitForDevicesAsync(string model, int devices, TimeSpan timeout, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var ready = 0;
        while (clock.Elapsed < timeout)
        {
            var status = await client.StatusAsync(model, cancellation).ConfigureAwait(false);
            ready = status.Devices.Count(d => d.Placeable && d.Profile?.For(model) is not null);
            if (ready >= devices)
            {
                await log.WriteLineAsync($"measure: {ready} devices ready ({string.Join(", ", status.PlaceableDevices)}) after {clock.Elapsed.TotalSeconds:F0} s").ConfigureAwait(false);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellation).ConfigureAwait(false);
        }

        throw new TimeoutException($"only {ready} of {devices} devices were placeable with a profile of {model} after {timeout.TotalSeconds:F0} s.");
    }

    /// <summary>Runs the grid of one model on the cluster, handing each recorded run (and each OOM mode once) to <paramref name="emit"/>.</summary>
    public async Task MeasureAsync(
        string model,
        IReadOnlyList<int> sequenceLengths,
        IReadOnlyList<EvaluationMode> modes,
        int runs,
        int warmup,
        int devices,
        Func<EvaluationSample, Task> emit,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(sequenceLengths);
        ArgumentNullException.ThrowIfNull(modes);
        ArgumentNullException.ThrowIfNull(emit);
        if (devices > 1)
        {
            // The planner sizes shares to the links as they are now (the testbed may just have re-shaped them).
            var links = await client.MeasureLinksAsync(cancellation).ConfigureAwait(false);
            var summary = string.Join(", ", links.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.From}→{l.To} {l.BytesPerSecond * 8 / 1e6:F0} Mbit/s {l.LatencyMilliseconds:F2} ms")));
            await log.WriteLineAsync($"measure: links {summary}").ConfigureAwait(false);
        }

        foreach (var length in sequenceLengths)
        {
            var tokens = TokenIds(length);
            float[]? reference = null;
            var rejected = new HashSet<EvaluationMode>();
            for (var round = 0; round < warmup + runs; round++)
            {
                foreach (var mode in modes.Where(m => !rejected.Contains(m)))
                {
                    var clock = Stopwatch.StartNew();
                    var run = await client.EvaluateAsync(model, tokens, mode, cancellation).ConfigureAwait(false);
                    var clientMs = clock.Elapsed.TotalMilliseconds;
                    var sample = new EvaluationSample
                    {
                        ClusterDevices = devices,
                        Model = model,
                        Sequence = length,
                        Mode = ModeNames.Name(mode),
                        Run = round - warmup + 1,
                    };
                    if (!run.Fits)
                    {
                        rejected.Add(mode);
                        await emit(sample with { Run = 0, Fits = false, Oom = run.Reason ?? "does not fit" }).ConfigureAwait(false);
                        continue;
                    }

                    var hidden = run.Hidden!.Values.ToArray();
                    double? difference = null;
                    if (reference is null)
                    {
                        reference = hidden;
                    }
                    else
                    {
                        difference = MaxAbsoluteDifference(reference, hidden);
                    }

                    if (round < warmup)
                    {
                        continue;
                    }

                    await emit(sample with
                    {
                        WallMilliseconds = run.WallMilliseconds,
                        PredictedMilliseconds = run.PredictedMilliseconds,
                        ClientMilliseconds = clientMs,
                        Devices = run.Devices,
                        Shares = [.. run.Timings.Select(t => $"{t.Share.Heads}/{t.Share.MlpColumns}/{t.Share.Rows}")],
                        ComputeMilliseconds = [.. run.Timings.Select(t => Math.Round(t.ComputeMilliseconds, 3))],
                        PredictedComputeMilliseconds = [.. run.Timings.Select(t => Math.Round(t.PredictedComputeMilliseconds, 3))],
                        Exchange = run.Plan!.Exchange.ToString().ToLowerInvariant(),
                        Overlap = run.Plan.Overlap,
                        Excluded = run.Excluded,
                        MaxAbsoluteDifference = difference,
                    }).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>max |a − b| over two equally long outputs (∞ when the lengths differ).</summary>
    public static double MaxAbsoluteDifference(float[] a, float[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
        {
            return double.PositiveInfinity;
        }

        var worst = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        }

        return worst;
    }
}
