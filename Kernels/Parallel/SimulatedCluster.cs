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

    /// <summary>Runs one request on every device at once and assembles the plan's output: token-wise outputs from each device's rows, a single vector from <see cref="ParallelPlan.OutputDevice"/>.</summary>
    public async Task<SimulatedResult> RunAsync(long requestId, int[] tokenIds, int[]? tokenTypeIds = null, byte[]? keyMask = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        Plan.Validate(Config, tokenIds.Length);
        var runs = _executors.Select(executor => Task.Run(
            () => executor.RunAsync(requestId, tokenIds, tokenTypeIds ?? [], keyMask ?? [], cancellationToken),
            cancellationToken)).ToArray();
        var shards = await Task.WhenAll(runs).ConfigureAwait(false);
        return new SimulatedResult(Assemble(shards, tokenIds.Length), shards, Plan.Output);
    }

    private float[] Assemble(ShardResult[] shards, int sequence)
    {
        var width = Plan.Output switch
        {
            ParallelOutput.HiddenStates => Config.HiddenSize,
            ParallelOutput.TokenLogits => Config.VocabularySize,
            _ => 0,
        };
        if (width == 0)
        {
            return shards[Plan.OutputDevice ?? 0].Rows;
        }

        var whole = new float[sequence * width];
        foreach (var shard in shards)
        {
            shard.Rows.CopyTo(whole, shard.RowStart * width);
        }

        return whole;
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
