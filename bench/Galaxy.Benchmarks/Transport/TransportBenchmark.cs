using System.Diagnostics;
using System.Globalization;
using Galaxy.Benchmarks.Quick;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// Runs every <see cref="TransportPath"/> at every size between a sender grain on silo A and a receiver
/// grain on silo B: first isolated payloads one at a time (latency), then three bursts (throughput, the median).
/// Every wait is bounded; a payload that does not arrive in time counts as lost, never as a hang.
/// </summary>
public static class TransportBenchmark
{
    /// <summary>Warm-up bursts per path (count × bytes): enough calls for tiered JIT to reach its optimised code.</summary>
    private static readonly (int Count, int Bytes)[] WarmUp = [(64, 4 << 10), (16, 64 << 10)];

    /// <summary>Bursts per row; the row reports the median rate (two shared cores: single bursts are noisy).</summary>
    private const int BurstRepeats = 3;

    public static async Task<TransportOutcome> RunAsync(TransportSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var started = Stopwatch.GetTimestamp();
        var stalledBefore = CpuPressure.Stalled();
        await using var cluster = await TransportCluster.StartAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        progress.WriteLine(Invariant($"two silos up over TCP loopback in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));

        var senderKey = $"{TransportCluster.SiloA}/0";
        var receiverKey = $"{TransportCluster.SiloB}/0";
        var ends = new TransportEnds(
            senderKey,
            cluster.GrainFactory.GetGrain<ITransportSenderGrain>(senderKey),
            receiverKey,
            cluster.GrainFactory.GetGrain<ITransportReceiverGrain>(receiverKey));
        var senderSilo = await ends.Sender.WhereAsync().ConfigureAwait(false);
        var receiverSilo = await ends.Receiver.WhereAsync().ConfigureAwait(false);
        progress.WriteLine($"sender runs on {senderSilo}, receiver on {receiverSilo}; BroadcastChannelOptions.FireAndForgetDelivery = {cluster.BroadcastFireAndForget}");
        if (senderSilo != TransportCluster.SiloA || receiverSilo != TransportCluster.SiloB)
        {
            throw new InvalidOperationException($"Placement failed: sender on {senderSilo}, receiver on {receiverSilo}; nothing would cross the network.");
        }

        await ends.Receiver.SubscribeToStreamAsync().ConfigureAwait(false);

        // Warm every path before measuring any: the first rows would otherwise pay for the JIT of all.
        foreach (var path in TransportPath.All)
        {
            await WarmUpAsync(path, ends).ConfigureAwait(false);
        }

        await Task.Delay(500).ConfigureAwait(false); // tiered compilation promotes in the background
        cluster.Log.Drain();
        progress.WriteLine("warmed up every path");

        var rows = new List<TransportRow>();
        foreach (var path in TransportPath.All)
        {
            foreach (var bytes in settings.Sizes)
            {
                var row = await MeasureAsync(path, ends, bytes, settings).ConfigureAwait(false);
                var logged = cluster.Log.Drain();
                if (logged.Count > 0)
                {
                    row = row with { Note = string.Join("; ", [row.Note, .. logged.Select(e => "silo log: " + e)]).TrimStart(';', ' ') };
                }

                progress.WriteLine(Invariant(
                    $"{path.Name,-18} {bytes,9} B  p50 {row.P50Milliseconds,8:F3} ms  {row.MegabytesPerSecond,8:F1} MB/s  {row.Delivered}/{row.Sent} {row.Note}"));
                rows.Add(row);
            }

            if (path.IsPolled && rows[^1].Delivered < rows[^1].Sent)
            {
                // Does a small event still get through after an oversized one was dropped?
                var probe = await MeasureAsync(path, ends, settings.Sizes[0], settings with { PolledLatencySamples = 2, MaxBurstCount = 8 }).ConfigureAwait(false);
                var after = Invariant($"afterwards {TransportReport.Size(settings.Sizes[0])} events: {probe.Delivered}/{probe.Sent} delivered");
                progress.WriteLine($"{path.Name}: {after}");
                rows[^1] = rows[^1] with { Note = rows[^1].Note + "; " + after };
                cluster.Log.Drain();
            }
        }

        return new TransportOutcome(rows, senderSilo, receiverSilo, Stopwatch.GetElapsedTime(started), CpuPressure.IsAvailable ? CpuPressure.Stalled() - stalledBefore : null);
    }

    private static async Task WarmUpAsync(TransportPath path, TransportEnds ends)
    {
        // Run 0 is never opened, so the receiver ignores these arrivals.
        foreach (var (count, bytes) in WarmUp)
        {
            try
            {
                await path.SendAsync(ends, new TransportBurst(0, 0, count, path.Window, bytes))
                    .WaitAsync(TransportSettings.BurstDeadline).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // The measured rows report the same failure with its message.
            }
        }

        if (path.IsPolled)
        {
            await Task.Delay(TransportSettings.PayloadTimeout).ConfigureAwait(false); // let polled warm-up events drain
        }
    }

    private static async Task<TransportRow> MeasureAsync(TransportPath path, TransportEnds ends, int bytes, TransportSettings settings)
    {
        var samples = path.IsPolled ? settings.PolledLatencySamples : settings.LatencySamples;
        var burstCount = settings.BurstCount(path, bytes);
        var run = DeliveryLog.Open(samples + BurstRepeats * burstCount, TransportValues.Of(bytes));
        var notes = new List<string>();
        try
        {
            var sent = 0;
            var lostInARow = 0;
            for (var i = 0; i < samples && lostInARow < 2; i++)
            {
                var before = run.Delivered;
                sent++;
                var deadline = DateTime.UtcNow + TransportSettings.PayloadTimeout;
                await SendBoundedAsync(path, ends, new TransportBurst(run.Id, i, 1, 1, bytes), TransportSettings.PayloadTimeout, notes).ConfigureAwait(false);
                var arrived = await run.WaitForAsync(before + 1, TransportSettings.PayloadTimeout, deadline).ConfigureAwait(false);
                lostInARow = arrived ? 0 : lostInARow + 1;
            }

            if (lostInARow >= 2 && sent < samples)
            {
                Note(notes, Invariant($"latency stopped after {sent} sends, 2 lost in a row"));
            }

            var latencies = run.LatenciesMs(0, samples);
            latencies.Sort();

            var rates = new List<double>(BurstRepeats);
            for (var repeat = 0; repeat < BurstRepeats; repeat++)
            {
                var first = samples + repeat * burstCount;
                var before = run.Delivered;
                var start = Stopwatch.GetTimestamp();
                var deadline = DateTime.UtcNow + TransportSettings.BurstDeadline;
                await SendBoundedAsync(path, ends, new TransportBurst(run.Id, first, burstCount, path.Window, bytes), TransportSettings.BurstDeadline, notes)
                    .ConfigureAwait(false);
                sent += burstCount;
                await run.WaitForAsync(before + burstCount, TransportSettings.BurstIdle, deadline).ConfigureAwait(false);
                var delivered = run.Delivered - before;
                if (delivered == 0)
                {
                    break; // nothing gets through; repeating only costs the idle wait again
                }

                rates.Add((double)delivered * bytes / Stopwatch.GetElapsedTime(start, run.LastArrival).TotalSeconds / 1e6);
            }

            rates.Sort();
            double? throughput = rates.Count == 0 ? null : rates[rates.Count / 2];

            if (run.Corrupt > 0)
            {
                Note(notes, Invariant($"{run.Corrupt} arrived corrupt"));
            }

            if (run.Delivered < sent)
            {
                Note(notes, Invariant($"{sent - run.Delivered} lost"));
            }

            return new TransportRow(path, bytes, Percentile(latencies, 0.50), Percentile(latencies, 0.99), throughput, run.Delivered - run.Corrupt, sent, string.Join("; ", notes));
        }
        finally
        {
            DeliveryLog.Close(run);
        }
    }

    /// <summary>Starts a send and waits for the call itself at most <paramref name="timeout"/>; failures become notes.</summary>
    private static async Task SendBoundedAsync(TransportPath path, TransportEnds ends, TransportBurst burst, TimeSpan timeout, List<string> notes)
    {
        try
        {
            await path.SendAsync(ends, burst).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Note(notes, Invariant($"send call not done after {timeout.TotalSeconds:0} s"));
        }
        catch (Exception e) when (e is OrleansException or InvalidOperationException or NotSupportedException or IOException)
        {
            Note(notes, $"{e.GetType().Name}: {FirstLine(e.Message)}");
        }
    }

    private static void Note(List<string> notes, string note)
    {
        if (!notes.Contains(note))
        {
            notes.Add(note);
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var line = end < 0 ? text : text[..end];
        return line.Length <= 160 ? line : line[..160] + "…";
    }

    /// <summary>Nearest-rank percentile of sorted values; null for none.</summary>
    private static double? Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
