using System.Diagnostics;
using Galaxy.Benchmarks.Hmp;
using Galaxy.Grains;
using Galaxy.Grains.Profiling;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Benchmarks.Cluster;

/// <summary>
/// The same request on the same plan twice: through <see cref="IInferenceGrain.InferAsync(int[])"/> on three device
/// silos in this process (tiles over the silos' tile sockets or as grain calls, TCP loopback; each round runs every
/// transport asked for) and on a <see cref="SimulatedCluster"/> (tiles
/// through the in-process collective, no link model). Both load their slices from the same model directory, run the
/// plan the coordinator makes (hybrid, shares proportional to the devices' measured profiles, overlap on, whole chunks) with one kernel
/// thread per device, and alternate request by request.
/// </summary>
public static class ClusterBenchmark
{
    public const int Devices = 3;
    public const int ThreadsPerDevice = 1;
    public const int MiniLmSequence = 128;
    public const int BertSequence = 256;
    private const int WeightSeed = 2024;
    private const int TokenSeed = 7;
    private static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(30);
    private const int IdleSeconds = 3;
    private static readonly TimeSpan SettleAfterWarmUp = TimeSpan.FromSeconds(2);

    public static async Task<ClusterOutcome> RunAsync(ClusterSettings settings, TextWriter progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var started = Stopwatch.GetTimestamp();
        var models = Path.Combine(AppContext.BaseDirectory, "cluster-models");
        var cases = new List<ClusterModelCase>();
        foreach (var name in settings.Models)
        {
            progress.WriteLine($"cluster: preparing {name} under {models}");
            cases.Add(name == "minilm" ? MiniLm(models) : SyntheticBert(models, settings.BertLayers));
        }

        progress.WriteLine($"cluster: starting {Devices} device silos over TCP loopback, {ThreadsPerDevice} kernel thread each");
        await using var cluster = await EmbeddedDeviceCluster.StartAsync(Devices, ThreadsPerDevice, models, cancellationToken).ConfigureAwait(false);
        var rows = new List<ClusterRow>();
        var notes = new List<string>();

        long requestId = 0;
        foreach (var model in cases)
        {
            if (Stopwatch.GetElapsedTime(started) > settings.Budget)
            {
                notes.Add($"{model.Name}: skipped, the {settings.Budget.TotalSeconds:F0} s budget was spent");
                continue;
            }

            // The coordinator plans from the devices' measured profiles; the in-process side runs the same split.
            var coordinator = cluster.Grains.GetGrain<IInferenceGrain>(model.ModelId);
            var planned = await coordinator.InferAsync(model.TokenIds).WaitAsync(RequestLimit, cancellationToken).ConfigureAwait(false);
            var plan = PlanOf(planned);
            var inProcess = LoadSimulated(model, plan);
            var replans = 0;
            var transports = settings.Transports;
            var clusterSamples = transports.Select(_ => new List<Sample>()).ToArray();
            var localSamples = new List<Sample>();
            var overheads = transports.Select(_ => new List<double>()).ToArray();
            long tileCalls = 0;
            double tileBytes = 0;
            var maxDifference = new double[transports.Count];
            var load = OtherProcessesLoad.Start();
            progress.Write($"cluster: {model.Name} seq {model.Sequence}, {model.Config.Layers} layers, {Devices} devices, tiles over {string.Join(" and ", transports.Select(TransportName))} ");
            var warmUpRounds = int.MaxValue;
            // Warm-up goes on in batches until the JIT is done, so tier-1 promotion does not land in the measured rounds.
            var jit = new JitWarmUp();
            try
            {
                for (var round = 0; round < warmUpRounds || localSamples.Count < settings.Rounds; round++)
                {
                    if (Stopwatch.GetElapsedTime(started) > settings.Budget)
                    {
                        notes.Add($"{model.Name}: stopped after {localSamples.Count} measured rounds, the {settings.Budget.TotalSeconds:F0} s budget was spent");
                        break;
                    }

                    // Rotate which side goes first (in-process, then each transport), so none always runs right after another.
                    var sides = transports.Count + 1;
                    var onCluster = new Sample[transports.Count];
                    var clusterPlans = new ParallelPlan[transports.Count];
                    var clusterHidden = new float[transports.Count][];
                    Sample onSimulated = default;
                    float[] simulatedHidden = [];
                    for (var turn = 0; turn < sides; turn++)
                    {
                        var side = (turn + round) % sides;
                        if (side == transports.Count)
                        {
                            (onSimulated, simulatedHidden) = await RunSimulatedAsync(inProcess, ++requestId, model.TokenIds, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            cluster.UseTileTransport(transports[side]);
                            (onCluster[side], clusterHidden[side], clusterPlans[side]) = await RunClusterAsync(coordinator, model.TokenIds, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    for (var t = 0; t < transports.Count; t++)
                    {
                        maxDifference[t] = Math.Max(maxDifference[t], MaxAbsDifference(clusterHidden[t], simulatedHidden));
                    }

                    var traffic = inProcess.Stats.Snapshot();
                    tileCalls = traffic.Sum(t => t.MessagesSent);
                    tileBytes = tileCalls > 0 ? (double)traffic.Sum(t => t.BytesSent) / tileCalls : 0;
                    var measured = round >= warmUpRounds;
                    if (clusterPlans.FirstOrDefault(p => !SamePlan(p, plan)) is { } replanned)
                    {
                        // A drift refresh re-planned the cluster: the two sides ran different splits this round (and the
                        // devices loaded new slices). The in-process side takes the new plan; the round does not count.
                        replans++;
                        plan = replanned;
                        inProcess.Dispose();
                        inProcess = LoadSimulated(model, plan);
                        progress.Write("r");
                        continue;
                    }

                    if (measured)
                    {
                        localSamples.Add(onSimulated);
                        for (var t = 0; t < transports.Count; t++)
                        {
                            clusterSamples[t].Add(onCluster[t]);
                            overheads[t].Add((onCluster[t].Milliseconds / onSimulated.Milliseconds) - 1);
                        }
                    }

                    progress.Write(measured ? "." : "w");
                    var warmed = round + 1;
                    if (!measured && warmed % JitWarmUp.Batch == 0
                        && (await jit.BatchSettledAsync(cancellationToken).ConfigureAwait(false) || warmed >= JitWarmUp.MaxRuns) && warmed >= settings.WarmUpRounds)
                    {
                        // Tiered JIT compiles hot methods again in the background once new code stops appearing for a while;
                        // a pause here lets that finish, so the measured rounds run optimised code on both sides.
                        warmUpRounds = warmed;
                        notes.Add($"{model.Name}: {warmed} warm-up rounds (until {JitWarmUp.Batch} rounds and a {JitWarmUp.Pause.TotalMilliseconds:F0} ms pause compiled no method, or {JitWarmUp.MaxRuns})");
                        await Task.Delay(SettleAfterWarmUp, cancellationToken).ConfigureAwait(false);
                    }
                }

                progress.WriteLine();
            }
            finally
            {
                inProcess.Dispose();
            }

            if (replans > 0)
            {
                notes.Add($"{model.Name}: the coordinator re-planned {replans} time(s) during the rounds (its drift refresh); the in-process side took each new plan, and those rounds were not counted");
            }

            if (localSamples.Count == 0)
            {
                continue;
            }

            var others = load?.CoresUsedByOthers();
            for (var t = 0; t < transports.Count; t++)
            {
                rows.Add(new ClusterRow(
                    model.Name,
                    model.Sequence,
                    Devices,
                    model.Config.Layers,
                    Median(clusterSamples[t].Select(s => s.Milliseconds)),
                    Median(localSamples.Select(s => s.Milliseconds)),
                    Median(clusterSamples[t].Select(s => s.ComputeMilliseconds)),
                    Median(localSamples.Select(s => s.ComputeMilliseconds)),
                    Median(clusterSamples[t].Select(s => s.LayersMilliseconds)),
                    Median(localSamples.Select(s => s.LayersMilliseconds)),
                    Median(clusterSamples[t].Select(s => s.OutsideLayersMilliseconds)),
                    Median(localSamples.Select(s => s.OutsideLayersMilliseconds)),
                    Median(clusterSamples[t].Select(s => s.CpuMilliseconds)),
                    Median(localSamples.Select(s => s.CpuMilliseconds)),
                    Quartiles.Of(overheads[t]),
                    tileCalls,
                    tileBytes,
                    maxDifference[t],
                    others,
                    localSamples.Count,
                    plan.Exchange,
                    transports[t]));
            }
        }

        // What the silos cost with no request in flight (membership, timers, the thread pool, late JIT), measured after
        // the requests so start-up work is over, to tell the CPU a request adds apart from the cluster's background.
        var idle = new List<string>();
        for (var second = 0; second < IdleSeconds; second++)
        {
            var idleCpu = Environment.CpuUsage.TotalTime;
            var idleStarted = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var perSecond = (Environment.CpuUsage.TotalTime - idleCpu).TotalMilliseconds / Stopwatch.GetElapsedTime(idleStarted).TotalSeconds;
            idle.Add(perSecond.ToString("F0", System.Globalization.CultureInfo.InvariantCulture));
        }

        notes.Add($"idle cluster after the runs: the process used {string.Join(", ", idle)} ms CPU in each of {IdleSeconds} seconds with no request in flight");

        return new ClusterOutcome(rows, notes);
    }

    private static ParallelPlan PlanOf(InferResult result) =>
        new(ParallelMode.Hybrid, [.. result.Devices.Select(d => new DeviceShare(d.Share.Heads, d.Share.MlpColumns, d.Share.Rows))])
        {
            Exchange = result.Exchange == PlanExchange.Direct ? CollectiveAlgorithm.Direct : CollectiveAlgorithm.Ring,
        };

    private static bool SamePlan(ParallelPlan a, ParallelPlan b) =>
        a.Exchange == b.Exchange && a.Shares.SequenceEqual(b.Shares);

    private static async Task<(Sample Sample, float[] Hidden, ParallelPlan Plan)> RunClusterAsync(IInferenceGrain coordinator, int[] ids, CancellationToken cancellationToken)
    {
        // Garbage from the previous request is collected here, not inside this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var result = await coordinator.InferAsync(ids).WaitAsync(RequestLimit, cancellationToken).ConfigureAwait(false);
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var cpuMilliseconds = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        var sample = new Sample(
            milliseconds,
            result.Devices.Max(d => d.ComputeMilliseconds),
            result.Devices.Max(d => d.Layers.Sum(l => l.WallMilliseconds)),
            cpuMilliseconds);
        return (sample, result.Hidden.ToArray(), PlanOf(result));
    }

    private static async Task<(Sample Sample, float[] Hidden)> RunSimulatedAsync(SimulatedCluster cluster, long requestId, int[] ids, CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        cluster.Stats.Reset();
        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        var result = await cluster.RunAsync(requestId, ids, cancellationToken: cancellationToken).WaitAsync(RequestLimit, cancellationToken).ConfigureAwait(false);
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var cpuMilliseconds = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        var sample = new Sample(
            milliseconds,
            result.Devices.Max(d => d.Layers.Sum(l => l.ComputeMilliseconds)),
            result.Devices.Max(d => d.Layers.Sum(l => l.WallMilliseconds)),
            cpuMilliseconds);
        return (sample, result.Hidden);
    }

    private static SimulatedCluster LoadSimulated(ClusterModelCase model, ParallelPlan plan)
    {
        using var source = SafeTensorsDirectory.Open(model.Directory);
        return new SimulatedCluster(model.Config, source, plan, link: null, threadsPerDevice: ThreadsPerDevice);
    }

    /// <summary>all-MiniLM-L6-v2 as the devices' catalog prepares it (<c>{models}/minilm</c>), seq 128.</summary>
    private static ClusterModelCase MiniLm(string models)
    {
        var directory = MiniLmModel.Prepare(Path.Combine(models, ModelCatalog.MiniLmId)).ModelDirectory;
        var config = ModelConfig.Load(Path.Combine(directory, "config.json"));
        return new ClusterModelCase("minilm", ModelCatalog.MiniLmId, directory, config, Ids(directory, config, MiniLmSequence));
    }

    /// <summary>
    /// BERT-large-shaped layers with seeded weights (<see cref="SyntheticCheckpoint"/>), the vocabulary cut to 4,096 rows as
    /// in <c>hmp</c>, written once into <c>{models}/bert-large-l{layers}</c> with a placeholder WordPiece vocabulary
    /// (the devices' catalog wants one; the benchmark sends token ids, never text).
    /// </summary>
    private static ClusterModelCase SyntheticBert(string models, int layers)
    {
        var config = HmpBenchmark.Config(layers, BertSequence);
        var id = $"bert-large-l{layers}";
        var directory = Path.Combine(models, id);
        var configPath = Path.Combine(directory, "config.json");
        var vocabPath = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(configPath) || File.ReadAllText(configPath) != config.ToJson() || !File.Exists(vocabPath))
        {
            SyntheticCheckpoint.Write(config, directory, WeightSeed);
            string[] special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
            File.WriteAllLines(vocabPath, special.Concat(Enumerable.Range(special.Length, config.VocabularySize - special.Length).Select(i => $"w{i}")));
        }

        return new ClusterModelCase("bert-large", id, directory, config, Ids(directory, config, BertSequence));
    }

    /// <summary>[CLS], seeded ids over the vocabulary, [SEP] (as the <c>model</c> mode's workload).</summary>
    private static int[] Ids(string directory, ModelConfig config, int sequence)
    {
        var vocabulary = File.ReadAllLines(Path.Combine(directory, "vocab.txt"));
        var first = Array.IndexOf(vocabulary, "[CLS]");
        var last = Array.IndexOf(vocabulary, "[SEP]");
        return SeededValues.TokenIds(new Random(TokenSeed + sequence), sequence, config.VocabularySize, first, last);
    }

    private static double MaxAbsDifference(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            return double.PositiveInfinity;
        }

        double max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    /// <summary>The transport's name on the command line and in the rows: "sockets" or "grain-calls".</summary>
    public static string TransportName(TileTransport transport) => transport == TileTransport.Sockets ? "sockets" : "grain-calls";

    private static double Median(IEnumerable<double> values) => Quartiles.Of(values).Median;

    /// <summary>One request: its time, the most any device computed, the longest any device spent inside its layers, and the process's CPU time.</summary>
    private readonly record struct Sample(double Milliseconds, double ComputeMilliseconds, double LayersMilliseconds, double CpuMilliseconds)
    {
        /// <summary>Request time outside the layers: fan-out, embedding, fan-in and assembling the result.</summary>
        public double OutsideLayersMilliseconds => Milliseconds - LayersMilliseconds;
    }
}
