using System.Diagnostics;
using Galaxy.Grains.Profiling;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Benchmarks.Hmp;

/// <summary>
/// Runs BERT-large-shaped layers on simulated devices (<see cref="SimulatedCluster"/>, one compute thread per
/// device, every directed link under a <see cref="LinkModel"/>) in every mode and link precision, round-robin, and
/// reduces each request to a <see cref="ParallelReport"/>; the rows are medians over the rounds.
/// </summary>
/// <remarks>
/// Groups (device count × link) run one after another, each with its own clusters, so only one group's weights
/// are in memory. Inside a group every round runs each mode once, the one-device anchor included, starting
/// one mode later than the round before so that no mode always follows the same one. The vocabulary is cut to
/// <see cref="Vocabulary"/> rows: embedding runs before the first timed layer, and every device holds a whole
/// embedding table, so BERT-large's 30,522 rows would only cost memory.
/// </remarks>
public static class HmpBenchmark
{
    public const string ModelName = "bert-large";
    public const int Vocabulary = 4096;
    private const int WeightSeed = 2024;
    private const int TokenSeed = 7;

    public static ModelConfig Config(int layers, int sequence) =>
        ModelPresets.Get(ModelName) with { Layers = layers, VocabularySize = Vocabulary, MaxPositions = Math.Max(512, sequence) };

    public static async Task<HmpOutcome> RunAsync(HmpSettings settings, TextWriter progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var config = Config(settings.Layers, settings.Sequence);
        progress.WriteLine($"hmp: {ModelName} shape, {settings.Layers} layers, seq {settings.Sequence}: generating seeded weights");
        using var source = SyntheticTensorSource.Create(config, WeightSeed);
        var random = new Random(TokenSeed);
        var ids = Enumerable.Range(0, settings.Sequence).Select(_ => random.Next(config.VocabularySize)).ToArray();
        var labels = LinkLabels(settings.Links);

        var localPlan = HmpMode.Local.Plan(1, config, settings.Sequence);
        using var local = new SimulatedCluster(config, source, localPlan, link: null, threadsPerDevice: 1);
        var localSamples = new List<HmpSample>();
        var rows = new List<HmpRow>();
        var loads = new List<HmpGroupLoad>();
        long requestId = 0;
        foreach (var devices in settings.Devices)
        {
            foreach (var spec in settings.Links)
            {
                var started = Stopwatch.GetTimestamp();
                var load = OtherProcessesLoad.Start();
                var link = LinkModel.Parse(spec);
                var modes = HmpMode.ForDevices(settings.TileRows, settings.Precisions);
                progress.WriteLine($"hmp: {devices} devices over {spec} ({link}): loading {modes.Count} clusters");
                var clusters = new List<(HmpMode Mode, SimulatedCluster Cluster)>();
                try
                {
                    foreach (var mode in modes)
                    {
                        clusters.Add((mode, new SimulatedCluster(config, source, mode.Plan(devices, config, settings.Sequence), link, threadsPerDevice: 1)));
                    }

                    clusters.Add((HmpMode.Local, local));
                    var samples = clusters.ToDictionary(c => c.Mode.Key, _ => new List<HmpSample>());
                    var rounds = settings.WarmUpRounds + settings.Rounds;
                    for (var round = 0; round < rounds; round++)
                    {
                        var measured = round >= settings.WarmUpRounds;
                        for (var i = 0; i < clusters.Count; i++)
                        {
                            var (mode, cluster) = clusters[(i + round) % clusters.Count];
                            var report = await RunOnceAsync(cluster, ++requestId, ids, mode == HmpMode.Local ? null : link, cancellationToken).ConfigureAwait(false);
                            if (measured)
                            {
                                samples[mode.Key].Add(report);
                            }
                        }

                        progress.Write(measured ? "." : "w");
                    }

                    progress.WriteLine();
                    localSamples.AddRange(samples[HmpMode.Local.Key]);
                    foreach (var mode in modes)
                    {
                        var reference = mode.ReferenceKey is { } key ? samples[key] : null;
                        rows.Add(Summarize(config, settings.Sequence, devices, labels[spec], spec, mode, samples[mode.Key], reference));
                    }
                }
                finally
                {
                    foreach (var (mode, cluster) in clusters)
                    {
                        if (mode != HmpMode.Local)
                        {
                            cluster.Dispose();
                        }
                    }
                }

                loads.Add(new HmpGroupLoad(devices, spec, Stopwatch.GetElapsedTime(started), load?.CoresUsedByOthers()));
            }
        }

        rows.Insert(0, Summarize(config, settings.Sequence, 1, "none", "none", HmpMode.Local, localSamples, referenceSamples: null));
        return new HmpOutcome(rows, loads, settings.Layers);
    }

    /// <summary>Each link's label is its rate (<c>100mbit</c>) unless two links share a rate; then the whole spec.</summary>
    public static IReadOnlyDictionary<string, string> LinkLabels(IReadOnlyList<string> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        static string Rate(string spec) => spec.Split(['+', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0].ToLowerInvariant();
        return specs.Distinct().ToDictionary(s => s, s => specs.Distinct().Count(o => Rate(o) == Rate(s)) > 1 ? s : Rate(s));
    }

    private static async Task<HmpSample> RunOnceAsync(SimulatedCluster cluster, long requestId, int[] ids, LinkModel? link, CancellationToken cancellationToken)
    {
        // Garbage from the previous request is collected here, not inside this one's layers.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        cluster.Stats.Reset();
        var cpu = Environment.CpuUsage.TotalTime;
        var result = await cluster.RunAsync(requestId, ids, cancellationToken: cancellationToken).ConfigureAwait(false);
        var cpuMilliseconds = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        return new HmpSample(ParallelReport.Create(cluster.Plan, result, cluster.Stats.Snapshot(), link), cpuMilliseconds);
    }

    private static HmpRow Summarize(ModelConfig config, int sequence, int devices, string label, string spec, HmpMode mode, List<HmpSample> measured, List<HmpSample>? referenceSamples)
    {
        var samples = measured.Select(s => s.Report).ToList();
        var layerMs = samples.Select(s => s.MeanLayerMilliseconds).ToArray();
        var exposed = Median(samples.Select(s => s.MeanExposedCommunicationMilliseconds));
        var compute = Median(samples.Select(s => s.ComputeMilliseconds / s.Layers.Count));
        double? hidden = null;
        double? bound = null;
        Quartiles? paired = null;
        if (referenceSamples is not null)
        {
            var reference = Median(referenceSamples.Select(s => s.Report.MeanExposedCommunicationMilliseconds));
            hidden = ParallelReport.HiddenShare(exposed, reference);
            bound = reference > 0 ? Math.Min(1, compute / reference) : null;

            // Round i of both modes ran in the same round, usually back to back: a share per round shows the noise of the share itself.
            var shares = samples.Zip(referenceSamples, (o, r) => o.HiddenShare(r.Report)).OfType<double>().ToList();
            paired = shares.Count > 0 ? Quartiles.Of(shares) : null;
        }
        else if (mode.IsHybrid)
        {
            hidden = 0; // the reference itself: by definition it hides nothing
        }

        var perLayer = Enumerable.Range(0, config.Layers).Select(l => Median(samples.Select(s => s.Layers[l].WallMilliseconds))).ToArray();
        return new HmpRow(
            ModelName,
            sequence,
            devices,
            label,
            spec,
            mode.Name,
            LinkPrecisionNames.Of(mode.Precision),
            Median(layerMs),
            perLayer,
            compute,
            exposed,
            hidden,
            bound,
            paired,
            Median(samples.Select(CriticalReceiveWait)),
            Median(samples.Select(s => s.MeanBytesSentPerDevice)),
            Median(samples.Select(s => s.MeanModelledLinkMilliseconds)),
            Median(measured.Select(s => s.ProcessCpuMilliseconds / config.Layers)),
            Quartiles.Of(layerMs).RelativeSpread,
            samples.Count);
    }

    /// <summary>Mean over layers of the critical device's receive wait.</summary>
    private static double CriticalReceiveWait(ParallelReport report) =>
        report.Layers.Average(l => report.DeviceLayers.First(d => d.Layer == l.Layer && d.Device == l.CriticalDevice).ReceiveWaitMilliseconds);

    private static double Median(IEnumerable<double> values) => Quartiles.Of(values).Median;
}
