using System.Diagnostics;
using Galaxy.Grains.Planning;
using Galaxy.Kernels.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Galaxy.Grains;

/// <summary>
/// The coordinator of one model (<see cref="IInferenceGrain"/>). Reentrant: concurrent requests run on the shards
/// at the same time, kept apart by their request ids; the grain holds no per-request state.
/// </summary>
/// <remarks>
/// Each run plans over the live devices with the heterogeneity-aware planner (<see cref="CoordinatorPlans"/>: devices,
/// heads and columns planned at a reference length from the profiles and links in the <see cref="IDeviceRegistryGrain"/>,
/// rows per request); every result carries the planner's prediction next to the measured times, and runs whose latency
/// drifts from the prediction refresh the profiles from the measurements and the links. When a run fails, the
/// coordinator gives it up on every shard, checks which of its devices are gone (membership, or a device agent that
/// does not answer), leaves those out and runs the request again on the survivors under a new request id — at most
/// <see cref="GalaxyDeviceOptions.RequestAttempts"/> runs. A failure that loses no device (bad input, a bug) is the
/// caller's error at once. A shard is never moved: its placement names its device, so the plan changes instead.
/// </remarks>
[Reentrant]
public sealed class InferenceGrain(
    ModelCatalog catalog,
    DeviceDirectory directory,
    IOptions<GalaxyDeviceOptions> options,
    ILocalSiloDetails silo,
    ILogger<InferenceGrain> logger) : Grain, IInferenceGrain
{
    // A device that failed a run stays out of plans this long unless membership drops it sooner; then it is tried again.
    private static readonly TimeSpan SuspectFor = TimeSpan.FromSeconds(30);

    // How long a live device's agent may take to answer "are you there" after a failed run, or the registry to answer.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    // How long a run may plan with the registry's profiles and links fetched for an earlier run on the same live devices:
    // two registry calls on the critical path of every request. A drift refresh or a failed run fetches again.
    private static readonly TimeSpan PlanningInputsFor = TimeSpan.FromSeconds(1);

    // Plans whose shards have loaded their slices ("{devices}|{heads and columns}"), and the shard references.
    private readonly ShardCache _shards = new();

    // Silos that lost a run, and when.
    private readonly Dictionary<SiloAddress, DateTime> _suspects = [];

    // The last profiles the registry gave, for runs while the registry itself is unreachable.
    private IReadOnlyList<DeviceProfile> _profiles = [];

    // The last links the registry gave.
    private IReadOnlyList<LinkProfile> _links = [];

    // The planner's state for this model (created with the model's config on first use): choosing the fastest devices, or all.
    private CoordinatorPlans? _plans;
    private CoordinatorPlans? _allDevices;

    // Links are measured once in the background when none are known, and again when runs drift from the prediction.
    private bool _linksRequested;

    // When the profiles and links were last fetched for planning (a Stopwatch timestamp; 0: fetch again), and for which live devices.
    private long _planningInputsFetched;
    private string _planningInputsDevices = "";

    private string ModelId => this.GetPrimaryKeyString();

    public Task<EmbedResult> EmbedAsync(IReadOnlyList<string> texts) => EmbedCoreAsync(texts, 0, Guid.Empty);

    public Task<EmbedResult> EmbedAsync(IReadOnlyList<string> texts, Guid progressStream) => EmbedCoreAsync(texts, 0, progressStream);

    public Task<EmbedResult> EmbedOnAsync(IReadOnlyList<string> texts, int devices) => EmbedCoreAsync(texts, devices, Guid.Empty);

    public Task<InferResult> InferAsync(int[] tokenIds) => InferCoreAsync(tokenIds, Guid.Empty);

    public Task<InferResult> InferAsync(int[] tokenIds, Guid progressStream) => InferCoreAsync(tokenIds, progressStream);

    public async Task<IReadOnlyList<string>> GetDevicesAsync()
    {
        await directory.RefreshAsync(ProbeTimeout).ConfigureAwait(true);
        return directory.ActiveDevices();
    }

    public async Task<ClusterStatus> GetStatusAsync()
    {
        await directory.RefreshAsync(ProbeTimeout).ConfigureAwait(true);
        var live = directory.ActiveSilos();
        var registry = GrainFactory.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key);
        var profiles = await ProfilesAsync().ConfigureAwait(true);
        IReadOnlyList<LinkProfile> links;
        try
        {
            links = await registry.GetLinksAsync().WaitAsync(ProbeTimeout).ConfigureAwait(true);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            links = [];
        }

        // Ask every device at once; one that does not answer is listed with the reason instead of its slices.
        var devices = await Task.WhenAll(live.Select(async entry =>
        {
            var profile = profiles.FirstOrDefault(p => p.Device == entry.Device && p.Silo == entry.Silo.ToString());
            try
            {
                var loaded = await GrainFactory.GetGrain<IDeviceGrain>(DeviceKeys.Agent(entry.Device)).GetLoadedAsync().WaitAsync(ProbeTimeout).ConfigureAwait(true);
                return new DeviceStatus(entry.Device, entry.Silo.ToString(), profile, loaded, null);
            }
            catch (Exception ex) when (IsUnreachable(ex))
            {
                return new DeviceStatus(entry.Device, entry.Silo.ToString(), profile, [], ex.Message);
            }
        })).ConfigureAwait(true);
        return new ClusterStatus(ModelId, silo.SiloAddress.ToString(), devices, links);
    }

    private async Task<EmbedResult> EmbedCoreAsync(IReadOnlyList<string> texts, int devices, Guid progressStream)
    {
        if (texts is null || texts.Count == 0)
        {
            throw new ArgumentException("EmbedAsync needs at least one text.", nameof(texts));
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                throw new ArgumentException($"Text {i} is empty; every text to embed needs at least one word.", nameof(texts));
            }
        }

        var model = catalog.Get(ModelId);
        var ids = texts.Select(text => model.Tokenizer.Encode(text, model.Config.MaxPositions)).ToArray();
        CheckDeviceCount(devices);
        var hidden = model.Config.HiddenSize;
        var embeddings = new float[texts.Count * hidden];
        var timings = new TextTiming[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var run = await RunAsync(model, ids[i], devices, progressStream, i).ConfigureAwait(true);
            Encoder.MeanPool(run.Hidden.Values, default, 1, hidden).CopyTo(embeddings, i * hidden);
            timings[i] = new TextTiming(ids[i].Length, run.Devices, Stopwatch.GetElapsedTime(started).TotalMilliseconds) { Attempts = run.Attempts, PredictedMilliseconds = run.PredictedMilliseconds };
        }

        return new EmbedResult(hidden, TensorPayload.CopyOf(embeddings), timings);
    }

    private async Task<InferResult> InferCoreAsync(int[] tokenIds, Guid progressStream)
    {
        var model = catalog.Get(ModelId);
        ShardFanOut.CheckTokenIds(model, tokenIds, "InferAsync");
        CheckDeviceCount(0);
        var started = Stopwatch.GetTimestamp();
        var run = await RunAsync(model, tokenIds, 0, progressStream, 0).ConfigureAwait(true);
        return new InferResult(tokenIds.Length, model.Config.HiddenSize, run.Hidden, run.Devices, Stopwatch.GetElapsedTime(started).TotalMilliseconds)
        {
            Attempts = run.Attempts,
            PredictedMilliseconds = run.PredictedMilliseconds,
            Exchange = run.Exchange,
        };
    }

    public Task<int[]> TokenizeAsync(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The text is empty; it needs at least one word.", nameof(text));
        }

        var model = catalog.Get(ModelId);
        return Task.FromResult(model.Tokenizer.Encode(text, model.Config.MaxPositions));
    }

    /// <summary>Throws unless the cluster has a device, and <paramref name="count"/> of them when a count is asked for (0 = all).</summary>
    private void CheckDeviceCount(int count)
    {
        var devices = directory.ActiveDevices();
        if (devices.Count == 0)
        {
            throw new InvalidOperationException("No device has joined the cluster yet (no active silo carries galaxy.device metadata).");
        }

        if (count < 0 || count > devices.Count)
        {
            throw new ArgumentException($"Asked for {count} devices but the cluster has {devices.Count} ({string.Join(", ", devices)}).", nameof(count));
        }
    }

    /// <summary>Runs one sequence, re-planning on the surviving devices after a run that lost devices.</summary>
    private async Task<SequenceRun> RunAsync(LoadedModel model, int[] tokenIds, int deviceCount, Guid progressStream, int text)
    {
        var attempts = Math.Max(1, options.Value.RequestAttempts);
        var lostSoFar = new List<string>();
        for (var attempt = 1; ; attempt++)
        {
            var candidates = Candidates(deviceCount);
            if (candidates.Count == 0)
            {
                throw new InvalidOperationException(
                    $"No device is left to run model '{ModelId}': {(lostSoFar.Count == 0 ? "every device is suspected of having failed" : $"lost {string.Join(", ", lostSoFar)} during this request")}.");
            }

            var devicesKey = string.Join('/', candidates.Select(c => c.Device));
            if (_planningInputsFetched == 0 || devicesKey != _planningInputsDevices || Stopwatch.GetElapsedTime(_planningInputsFetched) > PlanningInputsFor)
            {
                await Task.WhenAll(ProfilesAsync(), LinksAsync(candidates.Count)).ConfigureAwait(true);
                (_planningInputsFetched, _planningInputsDevices) = (Stopwatch.GetTimestamp(), devicesKey);
            }

            var (profiles, links) = (_profiles, _links);
            // An explicit device count means exactly those devices; otherwise the planner picks the fastest subset unless told not to.
            var planner = deviceCount > 0 || options.Value.PlanOnAllDevices ? _allDevices ??= new CoordinatorPlans(ModelId, model.Config, PlannerOptions with { SelectDevices = false })
                : _plans ??= new CoordinatorPlans(ModelId, model.Config, PlannerOptions);
            var planned = planner.PlanRequest([.. candidates.Select(c => c.Device)], profiles, links, tokenIds.Length);
            var silos = planned.Devices.Select(device => candidates.First(c => c.Device == device).Silo).ToArray();
            var requestId = Random.Shared.NextInt64(1, long.MaxValue);
            try
            {
                var started = Stopwatch.GetTimestamp();
                var (hidden, timings) = await ShardFanOut.RunAsync(GrainFactory, model, tokenIds, planned, requestId, progressStream == Guid.Empty ? null : new ProgressRoute(progressStream, text, attempt), _shards, AbortQuietlyAsync)
                    .ConfigureAwait(true);
                var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (planner.Record(planned, [.. timings.Select(t => (t.Device, t.ComputeMilliseconds))], wall))
                {
                    InferenceGrainLog.Drifted(logger, ModelId, wall, planned.Prediction.TotalSeconds * 1000, planner.Refreshes);
                    MeasureLinksInBackground();
                    _planningInputsFetched = 0;
                }

                return new SequenceRun(hidden, timings, attempt, planned.Prediction.TotalSeconds * 1000, planned.Plan.Exchange.ToWire());
            }
            catch (Exception ex) when (IsUnreachable(ex))
            {
                _planningInputsFetched = 0;
                var lost = await FindLostAsync(planned.Devices, silos).ConfigureAwait(true);
                if (lost.Count == 0)
                {
                    throw;
                }

                foreach (var (device, address) in lost)
                {
                    _suspects[address] = DateTime.UtcNow;
                    lostSoFar.Add(device);
                }

                if (attempt >= attempts)
                {
                    throw new InvalidOperationException(
                        $"Model '{ModelId}' gave the request up: devices failed in each of its {attempts} runs ({string.Join(", ", lostSoFar)} lost). The last run's error: {ex.Message}",
                        ex);
                }

                InferenceGrainLog.Replanning(logger, ex, ModelId, requestId, string.Join(", ", lost.Select(l => l.Device)), attempt + 1);
            }
        }
    }

    /// <summary>The live devices not suspected of having failed, sorted by name; the first <paramref name="count"/> when a count is asked for.</summary>
    private List<(string Device, SiloAddress Silo)> Candidates(int count)
    {
        var now = DateTime.UtcNow;
        var live = directory.ActiveSilos();
        foreach (var gone in _suspects.Where(pair => !directory.IsAlive(pair.Key) || now - pair.Value > SuspectFor).Select(pair => pair.Key).ToArray())
        {
            _suspects.Remove(gone);
        }

        var usable = live.Where(entry => !_suspects.ContainsKey(entry.Silo)).ToList();
        return count == 0 ? usable : [.. usable.Take(count)];
    }

    /// <summary>The devices of a failed run that are gone: dropped by membership, or their agent does not answer.</summary>
    private async Task<List<(string Device, SiloAddress Silo)>> FindLostAsync(IReadOnlyList<string> devices, SiloAddress[] silos)
    {
        var answers = await Task.WhenAll(devices.Select(async (device, i) =>
        {
            if (!directory.IsAlive(silos[i]))
            {
                return false;
            }

            try
            {
                await GrainFactory.GetGrain<IDeviceGrain>(DeviceKeys.Agent(device)).GetLoadedAsync().WaitAsync(ProbeTimeout).ConfigureAwait(true);
                return true;
            }
            catch (Exception ex) when (IsUnreachable(ex))
            {
                return false;
            }
        })).ConfigureAwait(true);
        return [.. devices.Select((device, i) => (device, silos[i])).Where((_, i) => !answers[i])];
    }

    /// <summary>The registry's live profiles, or the last ones it gave when it cannot answer now (its silo may have just died).</summary>
    private async Task<IReadOnlyList<DeviceProfile>> ProfilesAsync()
    {
        try
        {
            _profiles = await GrainFactory.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key).GetProfilesAsync().WaitAsync(ProbeTimeout).ConfigureAwait(true);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            InferenceGrainLog.RegistryUnreachable(logger, ex, ModelId);
        }

        return _profiles;
    }

    /// <summary>The registry's measured links, or the last ones it gave; with none known yet, asks for a measurement in the background.</summary>
    private async Task<IReadOnlyList<LinkProfile>> LinksAsync(int devices)
    {
        try
        {
            _links = await GrainFactory.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key).GetLinksAsync().WaitAsync(ProbeTimeout).ConfigureAwait(true);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            InferenceGrainLog.RegistryUnreachable(logger, ex, ModelId);
        }

        if (_links.Count == 0 && devices > 1 && !_linksRequested)
        {
            MeasureLinksInBackground();
        }

        return _links;
    }

    /// <summary>Asks the registry to measure the links without waiting for it; the next plans use what it measured.</summary>
    private void MeasureLinksInBackground()
    {
        _linksRequested = true;
        var measuring = GrainFactory.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key).MeasureLinksAsync();
        _ = measuring.ContinueWith(
            task => InferenceGrainLog.LinksNotMeasured(logger, task.Exception!, ModelId),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>What the coordinator plans with: the planner's defaults, plus 1 ms per request for the fan-out and assembly (docs/cluster.md measured 1–2 ms).</summary>
    private static readonly PlannerOptions PlannerOptions = new() { RequestOverheadSeconds = 1e-3 };
    /// <summary>Gives the request up on <paramref name="shard"/>; a shard on a dead device cannot hear it, which is fine.</summary>
    private async Task AbortQuietlyAsync(IShardGrain shard, long requestId, string reason)
    {
        try
        {
            await shard.AbortAsync(requestId, reason).WaitAsync(ProbeTimeout).ConfigureAwait(true);
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            InferenceGrainLog.AbortFailed(logger, ex, ModelId, requestId);
        }
    }

    /// <summary>
    /// Failures that can mean a device is gone (a transport or runtime error, a timeout, a peer's tiles that never
    /// came) as opposed to the caller's bad input or the model's bad files, which no re-plan fixes.
    /// </summary>
    private static bool IsUnreachable(Exception error) =>
        error is not (ArgumentException or InvalidDataException or FileNotFoundException or OutOfMemoryException or NotSupportedException);

    private sealed record SequenceRun(TensorPayload Hidden, DeviceTiming[] Devices, int Attempts, double PredictedMilliseconds, PlanExchange Exchange);
}
