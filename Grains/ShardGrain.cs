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
public sealed class ShardGrain(
    ModelCatalog catalog,
    TileInboxes inboxes,
    TileSocketHub tiles,
    IOptions<GalaxyDeviceOptions> options,
    ILocalSiloDetails silo,
    ILogger<ShardGrain> logger) : Grain, IShardGrain
{
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
        var shardKey = this.GetPrimaryKeyString();
        var layers = model.Config.Layers;

        // Layers finished on the kernel side are published from the grain scheduler, in the order they finish.
        var finished = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        var publishing = Task.CompletedTask;
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout);
        try
        {
            var transport = await TransportAsync(request, modelId, shardKey).ConfigureAwait(true);
            var collective = new LayerProgressCollective(transport, layer => finished.Writer.TryWrite(layer));
            publishing = request.Progress is { } route ? PublishProgressAsync(finished.Reader, route, request.RequestId, layers) : Task.CompletedTask;

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
            ShardGrainLog.RequestDone(logger, shardKey, request.RequestId, request.Rank, request.Peers.Count, wall);

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
            inboxes.Release(shardKey, request.RequestId);
        }
    }

    public Task ReceiveTileAsync(TileMessage tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        var key = new TileKey(tile.RequestId, tile.Layer, (CollectivePhase)tile.Phase, tile.Step, tile.Tile);
        inboxes.Of(this.GetPrimaryKeyString(), tile.RequestId).Deposit(tile.SourceRank, key, new ReceivedTile(tile.Data, tile.Data.Length, Pooled: false));
        return Task.CompletedTask;
    }

    public Task AbortAsync(long requestId, string reason)
    {
        inboxes.Of(this.GetPrimaryKeyString(), requestId).Fail(new InvalidOperationException($"Request {requestId} was given up on device '{Device}': {reason}"));
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

    /// <summary>
    /// This run's links to its peers, by this silo's <see cref="GalaxyDeviceOptions.TileTransport"/>: frames over the
    /// silos' tile sockets (each peer's endpoint asked from its device agent once per silo), or one grain call per tile.
    /// Either way the tiles for this shard land in the inbox this run claims.
    /// </summary>
    private async Task<ICollective> TransportAsync(ShardRequest request, string modelId, string shardKey)
    {
        if (options.Value.TileTransport == TileTransport.GrainCalls)
        {
            var grains = request.Peers.Select(device => GrainFactory.GetGrain<IShardGrain>(DeviceKeys.Shard(modelId, device))).ToArray();
            return new GrainCollective(request.Rank, grains, inboxes.Claim(shardKey, request.RequestId, []));
        }

        var peers = await Task.WhenAll(request.Peers.Select(async (device, rank) =>
            rank == request.Rank ? null : new TilePeer(device, DeviceKeys.Shard(modelId, device), await tiles.EndpointOfAsync(device).ConfigureAwait(true)))).ConfigureAwait(true);
        var sources = peers.OfType<TilePeer>().Select(peer => peer.Endpoint).ToHashSet(StringComparer.Ordinal);
        return new SocketCollective(request.Rank, tiles, peers, inboxes.Claim(shardKey, request.RequestId, sources));
    }

    private void CheckRank(int rank, IReadOnlyList<string> peers)
    {
        if (rank < 0 || rank >= peers.Count || peers[rank] != Device)
        {
            throw new ArgumentException($"Shard '{this.GetPrimaryKeyString()}' was given rank {rank} of [{string.Join(", ", peers)}], which is not its device '{Device}'.");
        }
    }
}
