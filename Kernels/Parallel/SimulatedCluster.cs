using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;

namespace Galaxy.Kernels.Parallel;

/// <summary>
/// N simulated devices in one process: each loads only its slice of the model, gets its own compute
/// threads, and runs a <see cref="ShardExecutor"/>; tiles move through an <see cref="InProcessCollective"/>
/// (optionally under a <see cref="LinkModel"/>). Used to prove the parallel schedules exact and to observe
/// overlap without a cluster.
/// </summary>
public sealed class SimulatedCluster : IDisposable
{
    private readonly InProcessCollective _collective;
    private readonly ShardExecutor[] _executors;
    private readonly KernelThreads[] _threads;

    /// <summary>Loads every device's slice of the model in <paramref name="source"/> and connects the devices.</summary>
    public SimulatedCluster(ModelConfig config, ITensorSource source, ParallelPlan plan, LinkModel? link = null, int threadsPerDevice = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerDevice, 1);
        plan.ValidateModelSplit(config);
        Config = config;
        Plan = plan;
        _collective = InProcessCollective.Create(plan.Devices, link);
        _threads = new KernelThreads[plan.Devices];
        _executors = new ShardExecutor[plan.Devices];
        for (var d = 0; d < plan.Devices; d++)
        {
            var slice = plan.SliceOf(d, config);
            var weights = TransformerWeights.Load(config, source, _ => slice);
            _threads[d] = new KernelThreads(threadsPerDevice);
            _executors[d] = new ShardExecutor(weights, plan, _collective.Ranks[d], _threads[d]);
        }
    }

    public ModelConfig Config { get; }

    public ParallelPlan Plan { get; }

    /// <summary>Traffic per device, layer and collective so far.</summary>
    public CollectiveStats Stats => _collective.Stats;

    /// <summary>Runs one request on every device at once and assembles the (S, H) result from each device's rows.</summary>
    public async Task<SimulatedResult> RunAsync(long requestId, int[] tokenIds, int[]? tokenTypeIds = null, byte[]? keyMask = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        Plan.Validate(Config, tokenIds.Length);
        var runs = _executors.Select(executor => Task.Run(
            () => executor.RunAsync(requestId, tokenIds, tokenTypeIds ?? [], keyMask ?? [], cancellationToken),
            cancellationToken)).ToArray();
        var shards = await Task.WhenAll(runs).ConfigureAwait(false);
        var hidden = new float[tokenIds.Length * Config.HiddenSize];
        foreach (var shard in shards)
        {
            shard.Rows.CopyTo(hidden, shard.RowStart * Config.HiddenSize);
        }

        return new SimulatedResult(hidden, shards);
    }

    public void Dispose()
    {
        _collective.Dispose();
        foreach (var pool in _threads)
        {
            pool.Dispose();
        }
    }
}
