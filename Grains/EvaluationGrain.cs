using System.Diagnostics;
using Galaxy.Grains.Planning;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains;

/// <summary>
/// The evaluation's coordinator of one model (<see cref="IEvaluationGrain"/>): each mode is one planner strategy over
/// every live device, with the profiles and links the registry holds, so every scheme is sized by the same cost model
/// and memory model and runs through the same shard grains. Not reentrant: the evaluation measures one request at a time.
/// </summary>
/// <remarks>
/// Galaxy without overlap is Galaxy's plan (same devices and split) with the tile overlap turned off, predicted again
/// without overlap — the ablation of the overlap alone. Plans are kept per mode, length and registry state, so the
/// planner's search is not part of what is measured; the measured time runs from the fan-out to the assembled result,
/// as the product coordinator's does.
/// </remarks>
public sealed class EvaluationGrain(ModelCatalog catalog, DeviceDirectory directory) : Grain, IEvaluationGrain
{
    // What the evaluation plans with: the product coordinator's options (1 ms per request for fan-out and assembly).
    private static readonly PlannerOptions Options = new() { RequestOverheadSeconds = 1e-3 };

    private readonly Dictionary<string, PlannedSplit?> _plans = [];
    private readonly Dictionary<string, string> _doesNotFit = [];
    private readonly ShardCache _shards = new();

    private string ModelId => this.GetPrimaryKeyString();

    public async Task<EvaluationRun> RunAsync(int[] tokenIds, EvaluationMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentException($"Unknown evaluation mode {(int)mode}: use Local, Megatron, Sequence, GalaxyNoOverlap or Galaxy.", nameof(mode));
        }

        var model = catalog.Get(ModelId);
        ShardFanOut.CheckTokenIds(model, tokenIds, "An evaluation request");
        var devices = directory.ActiveDevices();
        if (devices.Count == 0)
        {
            throw new InvalidOperationException("No device has joined the cluster yet (no active silo carries galaxy.device metadata).");
        }

        var registry = GrainFactory.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key);
        var profiles = await registry.GetProfilesAsync().ConfigureAwait(true);
        var links = await registry.GetLinksAsync().ConfigureAwait(true);
        var key = PlanKey(mode, tokenIds.Length, devices, profiles, links);
        if (!_plans.TryGetValue(key, out var planned))
        {
            var cluster = ProfileAdapter.ToCluster(devices, profiles, links, ModelId, model.Config);
            try
            {
                planned = Plan(model.Config, tokenIds.Length, cluster, mode);
            }
            catch (PlanDoesNotFitException e)
            {
                planned = null;
                _doesNotFit[key] = e.Message;
            }

            _plans[key] = planned;
        }

        if (planned is null)
        {
            return new EvaluationRun(mode, false, _doesNotFit[key], [], null, 0, 0, [], null);
        }

        var started = Stopwatch.GetTimestamp();
        var (hidden, timings) = await ShardFanOut.RunAsync(
            GrainFactory,
            model,
            tokenIds,
            planned,
            Random.Shared.NextInt64(1, long.MaxValue),
            progress: null,
            _shards,
            (shard, requestId, reason) => shard.AbortAsync(requestId, reason).ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(true);
        var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return new EvaluationRun(mode, true, null, planned.Devices, planned.Plan.ToWire(), planned.Prediction.TotalSeconds * 1000, wall, timings, hidden)
        {
            Excluded = [.. planned.Excluded.Select(e => $"{e.Device}: {e.Reason}")],
        };
    }

    /// <summary>
    /// The plan of <paramref name="mode"/>: the planner's strategy for it (Local, UniformMegatron, Sequence, Galaxy); Galaxy
    /// without overlap is Galaxy's split with overlap off, predicted again without overlap.
    /// </summary>
    /// <exception cref="PlanDoesNotFitException">No device set holds the model in this mode (the memory model's verdict).</exception>
    public static PlannedSplit Plan(ModelConfig config, int sequenceLength, PlanningCluster cluster, EvaluationMode mode)
    {
        var strategy = mode switch
        {
            EvaluationMode.Local => PlanStrategy.Local,
            EvaluationMode.Megatron => PlanStrategy.UniformMegatron,
            EvaluationMode.Sequence => PlanStrategy.Sequence,
            _ => PlanStrategy.Galaxy,
        };
        var planned = HeterogeneousPlanner.Plan(config, sequenceLength, cluster, Options with { Strategy = strategy });
        if (mode != EvaluationMode.GalaxyNoOverlap)
        {
            return planned;
        }

        var withoutOverlap = Options with { Overlap = false };
        var plan = planned.Plan with { Overlap = false };
        var indices = planned.Devices.Select(cluster.IndexOf).ToArray();
        return planned with { Plan = plan, Prediction = CostModel.Predict(config, sequenceLength, cluster, indices, plan, withoutOverlap) };
    }

    private static string PlanKey(EvaluationMode mode, int length, IReadOnlyList<string> devices, IReadOnlyList<DeviceProfile> profiles, IReadOnlyList<LinkProfile> links)
    {
        var stamps = devices.Select(d => profiles.FirstOrDefault(p => p.Device == d)?.MeasuredAt.UtcTicks ?? 0);
        var linkStamp = links.Count == 0 ? 0 : links.Max(l => l.MeasuredAt.UtcTicks);
        return $"{mode}|{length}|{string.Join('/', devices)}|{string.Join('/', stamps)}|{links.Count}:{linkStamp}";
    }
}
