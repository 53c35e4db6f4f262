using System.Diagnostics;
using System.Threading.Channels;
using Galaxy.Kernels.Parallel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Streams;

namespace Galaxy.Grains;

/// <summary>
/// One device's slice of a model (<see cref="IShardGrain"/>). Requests interleave: each runs its
/// <see cref="ShardExecutor"/> on the device's kernel threads, off the grain scheduler, while the scheduler keeps
/// delivering tiles into the request's inbox.
/// </summary>
[DevicePlacement]
public sealed class ShardGrain(ModelCatalog catalog, IOptions<GalaxyDeviceOptions> options, ILocalSiloDetails silo, ILogger<ShardGrain> logger) : Grain, IShardGrain
{
    // Only touched on the grain scheduler (RunAsync, ReceiveTileAsync, AbortAsync), so a plain dictionary suffices.
    private readonly Dictionary<long, TileInbox> _inboxes = [];

    private string ModelId => DeviceKeys.ModelOf(this.GetPrimaryKeyString());

    private string Device => DeviceKeys.DeviceOf(this.GetPrimaryKeyString());

    public async Task PrepareAsync(ShardPlan plan, int rank, IReadOnlyList<string> peers)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(peers);
        CheckRank(rank, peers);
        var parallel = plan.ToKernels();
        var model = catalog.Get(ModelId);
        parallel.ValidateModelSplit(model.Config);
        var slice = parallel.SliceOf(rank, model.Config);
        var started = Stopwatch.GetTimestamp();
        var weights = await Task.Run(() => catalog.Slice(ModelId, slice)).ConfigureAwait(true);
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var key = this.GetPrimaryKeyString();
        var sliceText = slice.ToString();
        ShardGrainLog.SliceLoaded(logger, key, sliceText, weights.ByteCount / 1e6, milliseconds);
    }

    public async Task<ShardOutput> RunAsync(ShardRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        CheckRank(request.Rank, request.Peers);
        var plan = request.Plan.ToKernels();
        var model = catalog.Get(ModelId);
        plan.ValidateModelSplit(model.Config);
        var slice = plan.SliceOf(request.Rank, model.Config);
        var modelId = ModelId;
        var peers = request.Peers.Select(device => GrainFactory.GetGrain<IShardGrain>(DeviceKeys.Shard(modelId, device))).ToArray();
        var inbox = InboxOf(request.RequestId);
        var layers = model.Config.Layers;

        // Layers finished on the kernel side are published from the grain scheduler, in the order they finish.
        var finished = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        var collective = new LayerProgressCollective(new GrainCollective(request.Rank, peers, inbox), layer => finished.Writer.TryWrite(layer));
        var publishing = request.Progress is { } route ? PublishProgressAsync(finished.Reader, route, request.RequestId, layers) : Task.CompletedTask;
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout);
        try
        {
            // The math runs off the grain scheduler, so tiles for this and other requests keep arriving meanwhile.
            var result = await Task.Run(
                () =>
                {
                    var weights = catalog.Slice(modelId, slice);
                    var executor = new ShardExecutor(weights, plan, collective, catalog.Threads);
                    return executor.RunAsync(request.RequestId, request.TokenIds, request.TokenTypeIds, request.KeyMask, timeout.Token);
                },
                timeout.Token).ConfigureAwait(true);
            collective.Finish(layers);
            finished.Writer.TryComplete();
            await publishing.ConfigureAwait(true);
            var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var key = this.GetPrimaryKeyString();
            ShardGrainLog.RequestDone(logger, key, request.RequestId, request.Rank, request.Peers.Count, wall);

            return new ShardOutput(
                Device,
                result.RowStart,
                TensorPayload.CopyOf(result.Rows),
                [.. result.Layers.Select(l => l.ToWire())],
                wall);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            ShardGrainLog.RequestFailed(logger, new TimeoutException("tiles did not arrive"), this.GetPrimaryKeyString(), request.RequestId);
            throw new TimeoutException($"Device '{Device}' gave request {request.RequestId} up after {options.Value.RequestTimeout.TotalSeconds:F0} s waiting for its peers' tiles.");
        }
        finally
        {
            finished.Writer.TryComplete();
            _inboxes.Remove(request.RequestId);
        }
    }

    public Task ReceiveTileAsync(TileMessage tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        var key = new TileKey(tile.RequestId, tile.Layer, (CollectivePhase)tile.Phase, tile.Step, tile.Tile);
        InboxOf(tile.RequestId).Deposit(tile.SourceRank, key, tile.Data);
        return Task.CompletedTask;
    }

    public Task AbortAsync(long requestId, string reason)
    {
        InboxOf(requestId).Fail(new InvalidOperationException($"Request {requestId} was given up on device '{Device}': {reason}"));
        return Task.CompletedTask;
    }

    public Task<ShardLocation> GetLocationAsync() =>
        Task.FromResult(new ShardLocation(options.Value.Device, silo.Name, silo.SiloAddress.ToString()));

    /// <summary>Publishes a <see cref="LayerProgress"/> per finished layer until the run ends; a stream that fails costs the events, never the request.</summary>
    private async Task PublishProgressAsync(ChannelReader<int> finished, ProgressRoute route, long requestId, int layers)
    {
        var stream = this.GetStreamProvider(GalaxyStreams.ProviderName).GetStream<LayerProgress>(GalaxyStreams.Progress(route.Stream));
        var device = Device;
        await foreach (var layer in finished.ReadAllAsync().ConfigureAwait(true))
        {
            try
            {
                await stream.OnNextAsync(new LayerProgress(requestId, route.Attempt, route.Text, device, layer, layers)).ConfigureAwait(true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                ShardGrainLog.ProgressFailed(logger, ex, this.GetPrimaryKeyString(), requestId, layer);
            }
        }
    }

    private TileInbox InboxOf(long requestId)
    {
        if (!_inboxes.TryGetValue(requestId, out var inbox))
        {
            inbox = new TileInbox();
            _inboxes.Add(requestId, inbox);
        }

        return inbox;
    }

    private void CheckRank(int rank, IReadOnlyList<string> peers)
    {
        if (rank < 0 || rank >= peers.Count || peers[rank] != Device)
        {
            throw new ArgumentException($"Shard '{this.GetPrimaryKeyString()}' was given rank {rank} of [{string.Join(", ", peers)}], which is not its device '{Device}'.");
        }
    }
}
