using System.Net;
using System.Net.Sockets;
using Galaxy.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Streams;
using StackExchange.Redis;

namespace Galaxy.Client;

/// <summary>
/// A client of a running Galaxy cluster: connects through static gateways or the cluster's Redis membership table
/// and calls the model coordinators (<see cref="IInferenceGrain"/>, keyed by model id) and the management grain.
/// Bad input (empty text, unknown model, too many tokens, ids outside the vocabulary) surfaces as the grain's
/// <see cref="ArgumentException"/>; an unreachable cluster as <see cref="GalaxyConnectionException"/>.
/// </summary>
public sealed class GalaxyClient : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a request with progress waits after its result for progress events still on their way (they trail it by
    /// up to one stream polling period, <see cref="GalaxyStreams.PollingPeriod"/>); spent only when events were lost.
    /// </summary>
    public static readonly TimeSpan ProgressTail = TimeSpan.FromSeconds(2);

    private readonly IHost _host;
    private readonly IClusterClient _grains;

    private GalaxyClient(GalaxyConnection connection, IHost host)
    {
        Connection = connection;
        _host = host;
        _grains = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>How this client reached the cluster.</summary>
    public GalaxyConnection Connection { get; }

    /// <summary>Connects to the cluster.</summary>
    /// <exception cref="ArgumentException"><paramref name="connection"/> is not usable.</exception>
    /// <exception cref="GalaxyConnectionException">No gateway could be reached, or the cluster id does not match.</exception>
    public static async Task<GalaxyClient> ConnectAsync(GalaxyConnection connection, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Validate();
        var gateways = new List<IPEndPoint>();
        foreach (var gateway in connection.Gateways)
        {
            try
            {
                gateways.Add(await gateway.ResolveAsync(cancellation).ConfigureAwait(false));
            }
            catch (SocketException e)
            {
                throw new GalaxyConnectionException($"gateway {gateway}: the host name does not resolve ({e.Message}).", e);
            }
        }

        // The Orleans client retries a refused gateway every few seconds until it is stopped: find out at once.
        if (gateways.Count > 0)
        {
            var reasons = await ProbeAsync(gateways, cancellation).ConfigureAwait(false);
            if (reasons.All(r => r is not null))
            {
                throw new GalaxyConnectionException($"cannot reach {connection}: no gateway accepts connections ({string.Join("; ", reasons)}).");
            }

            // Hand Orleans only the gateways that answer, so it does not keep retrying the others.
            gateways = [.. gateways.Where((_, i) => reasons[i] is null)];
        }
        else if (connection.Redis is { } redisServer)
        {
            IPEndPoint endpoint;
            try
            {
                endpoint = await redisServer.ResolveAsync(cancellation).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new GalaxyConnectionException($"redis {redisServer}: the host name does not resolve ({e.Message}).", e);
            }

            var reasons = await ProbeAsync([endpoint], cancellation).ConfigureAwait(false);
            if (reasons[0] is { } reason)
            {
                throw new GalaxyConnectionException($"cannot reach {connection}: the Redis server does not answer ({reason}).");
            }
        }

        // No appsettings.json, environment or console logging: a client prints only what its caller prints.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            if (connection.Redis is { } redis)
            {
                client.UseRedisClustering(redis.ToString());
            }
            else
            {
                client.UseStaticClustering([.. gateways]);
            }

            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = connection.ClusterId;
                o.ServiceId = connection.ClusterId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = connection.ResponseTimeout);
            client.AddGalaxyClientStreams();
        });

        var host = builder.Build();
        try
        {
            if (connection.Redis is not null)
            {
                await ExpectRegisteredGatewaysAsync(connection, host.Services.GetRequiredService<IGatewayListProvider>(), cancellation).ConfigureAwait(false);
            }

            await host.StartAsync(cancellation).WaitAsync(connection.ConnectTimeout, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            await StopQuietlyAsync(host).ConfigureAwait(false);
            if (e is GalaxyConnectionException)
            {
                throw;
            }

            // A silo closes a connection whose cluster id is not its own without saying why, and the client keeps retrying.
            var reason = e is TimeoutException
                ? $"no Orleans handshake within {connection.ConnectTimeout.TotalSeconds:F0} s (is --cluster '{connection.ClusterId}' the silos' cluster id?)"
                : OneLine(Innermost(e).Message);
            throw new GalaxyConnectionException($"cannot reach {connection}: {reason}", e);
        }

        return new GalaxyClient(connection, host);
    }

    /// <summary>Mean-pooled, L2-normalised embeddings of <paramref name="texts"/>, each computed across the cluster's devices.</summary>
    /// <exception cref="ArgumentException">No texts, an empty or too-long text, or an unknown model.</exception>
    public Task<EmbedResult> EmbedAsync(string model, IReadOnlyList<string> texts, CancellationToken cancellation = default) =>
        EmbedAsync(model, texts, null, cancellation);

    /// <summary>
    /// <see cref="EmbedAsync(string, IReadOnlyList{string}, CancellationToken)"/>, reporting to <paramref name="progress"/>
    /// each layer each device finishes, for each text (<see cref="LayerProgress.Text"/>), as the cluster publishes it. Events
    /// arrive on the client's threads (the <see cref="IProgress{T}"/> must be thread-safe), each once; the call returns
    /// once the runs that produced the result have reported every layer, or <see cref="ProgressTail"/> after the result
    /// when some events were lost (progress is best effort; the result is not). A re-planned text also reports the
    /// layers of its failed run (<see cref="LayerProgress.Attempt"/>).
    /// </summary>
    /// <param name="model">The model id.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="progress">Where to report progress; null for none (no stream subscription at all).</param>
    /// <param name="cancellation">Stops waiting.</param>
    /// <exception cref="ArgumentException">No texts, an empty or too-long text, or an unknown model.</exception>
    public Task<EmbedResult> EmbedAsync(string model, IReadOnlyList<string> texts, IProgress<LayerProgress>? progress, CancellationToken cancellation = default)
    {
        CheckModel(model);
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0 || texts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Every text to embed needs at least one word, and at least one text is needed.", nameof(texts));
        }

        var coordinator = _grains.GetGrain<IInferenceGrain>(model);
        return progress is null
            ? coordinator.EmbedAsync(texts).WaitAsync(cancellation)
            : WithProgressAsync(
                progress,
                stream => coordinator.EmbedAsync(texts, stream),
                result => [.. result.Texts.SelectMany((text, t) => text.Devices.Select(d => (t, text.Attempts, d.Device, d.Layers.Count)))],
                cancellation);
    }

    /// <summary>The token ids model <paramref name="model"/> gives <paramref name="text"/> (tokenized by the cluster).</summary>
    /// <exception cref="ArgumentException">An empty or too-long text, or an unknown model.</exception>
    public Task<int[]> TokenizeAsync(string model, string text, CancellationToken cancellation = default)
    {
        CheckModel(model);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The text is empty; it needs at least one word.", nameof(text));
        }

        return _grains.GetGrain<IInferenceGrain>(model).TokenizeAsync(text).WaitAsync(cancellation);
    }

    /// <summary>The last hidden state of <paramref name="tokenIds"/> computed across the cluster's devices, with per-device timing.</summary>
    /// <exception cref="ArgumentException">No ids, more than the model's positions, an id outside the vocabulary, or an unknown model.</exception>
    public Task<InferResult> InferAsync(string model, int[] tokenIds, CancellationToken cancellation = default) =>
        InferAsync(model, tokenIds, null, cancellation);

    /// <summary>
    /// <see cref="InferAsync(string, int[], CancellationToken)"/>, reporting each layer each device finishes to
    /// <paramref name="progress"/> as <see cref="EmbedAsync(string, IReadOnlyList{string}, IProgress{LayerProgress}?, CancellationToken)"/> does.
    /// </summary>
    /// <param name="model">The model id.</param>
    /// <param name="tokenIds">The token ids.</param>
    /// <param name="progress">Where to report progress; null for none.</param>
    /// <param name="cancellation">Stops waiting.</param>
    /// <exception cref="ArgumentException">No ids, more than the model's positions, an id outside the vocabulary, or an unknown model.</exception>
    public Task<InferResult> InferAsync(string model, int[] tokenIds, IProgress<LayerProgress>? progress, CancellationToken cancellation = default)
    {
        CheckModel(model);
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Length == 0)
        {
            throw new ArgumentException("At least one token id is needed.", nameof(tokenIds));
        }

        var coordinator = _grains.GetGrain<IInferenceGrain>(model);
        return progress is null
            ? coordinator.InferAsync(tokenIds).WaitAsync(cancellation)
            : WithProgressAsync(
                progress,
                stream => coordinator.InferAsync(tokenIds, stream),
                result => [.. result.Devices.Select(d => (0, result.Attempts, d.Device, d.Layers.Count))],
                cancellation);
    }

    /// <summary>
    /// Runs <paramref name="tokenIds"/> once in evaluation mode <paramref name="mode"/> (a baseline or Galaxy, planned by
    /// the planner's strategy for it over every live device; <see cref="IEvaluationGrain"/>) — what <c>galaxy eval</c>
    /// measures. A mode no device set can hold comes back with <see cref="EvaluationRun.Fits"/> false, not as an error.
    /// </summary>
    /// <exception cref="ArgumentException">No ids, more than the model's positions, an id outside the vocabulary, or an unknown model.</exception>
    public Task<EvaluationRun> EvaluateAsync(string model, int[] tokenIds, EvaluationMode mode, CancellationToken cancellation = default)
    {
        CheckModel(model);
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.Length == 0)
        {
            throw new ArgumentException("At least one token id is needed.", nameof(tokenIds));
        }

        return _grains.GetGrain<IEvaluationGrain>(model).RunAsync(tokenIds, mode).WaitAsync(cancellation);
    }

    /// <summary>
    /// The cluster's devices (membership), the devices model <paramref name="model"/>'s coordinator plans over, each
    /// device's measured profile and the weight slices it holds, the models each device holds a shard of now, and the
    /// links measured so far (<see cref="MeasureLinksAsync"/>).
    /// </summary>
    public async Task<ClusterStatus> StatusAsync(string model = ModelCatalog.MiniLmId, CancellationToken cancellation = default)
    {
        CheckModel(model);
        var management = _grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false, cancellation).ConfigureAwait(false);
        var coordinator = await _grains.GetGrain<IInferenceGrain>(model).GetStatusAsync().WaitAsync(cancellation).ConfigureAwait(false);
        var live = hosts.Where(h => h.Status != SiloStatus.Dead).ToArray();
        var statistics = await management.GetDetailedGrainStatistics(null, [.. live.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress)], cancellation)
            .WaitAsync(cancellation).ConfigureAwait(false);

        // A shard grain's key is "{model}/{device}"; the silo it is active on is that device's.
        var shardModels = statistics
            .Where(s => s.GrainType.EndsWith(".ShardGrain", StringComparison.Ordinal) || s.GrainId.Type.ToString() == "shard")
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(s => DeviceKeys.ModelOf(s.GrainId.Key.ToString() ?? "")).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

        // The coordinator names each device's silo by its full address; a device that re-joined has a new one.
        var known = coordinator.Devices.ToDictionary(d => d.Silo, StringComparer.Ordinal);
        var devices = live
            .Select(h =>
            {
                var seen = known.GetValueOrDefault(h.SiloAddress.ToString());
                return new DeviceStatus(
                    h.SiloName,
                    h.SiloAddress.Endpoint.ToString(),
                    h.HostName,
                    h.Status.ToString(),
                    h.StartTime,
                    seen is not null,
                    shardModels.GetValueOrDefault(h.SiloAddress) ?? [],
                    seen?.Profile,
                    seen?.Loaded ?? [],
                    seen?.Error);
            })
            .OrderBy(d => d.Status == nameof(SiloStatus.Active) ? 0 : 1)
            .ThenBy(d => d.Device, StringComparer.Ordinal)
            .ToList();
        IReadOnlyList<string> placeable = [.. coordinator.Devices.Select(d => d.Device).Order(StringComparer.Ordinal)];
        return new ClusterStatus(Connection.ClusterId, model, devices, placeable, hosts.Length - live.Length, coordinator.Links);
    }

    /// <summary>
    /// Has the cluster's registry measure every directed link between its live devices now (ping-pong between their
    /// device agents, one link at a time: latency and bandwidth) and returns them; <see cref="StatusAsync"/> lists them
    /// from then on.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fewer than two devices are live.</exception>
    public Task<IReadOnlyList<LinkProfile>> MeasureLinksAsync(CancellationToken cancellation = default) =>
        _grains.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key).MeasureLinksAsync().WaitAsync(cancellation);

    /// <summary>Disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopQuietlyAsync(_host).ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes a <see cref="LayerProgressRelay"/> to a new progress stream, runs <paramref name="call"/> with the
    /// stream's id, waits for the events <paramref name="expected"/> names (at most <see cref="ProgressTail"/>), unsubscribes.
    /// </summary>
    private async Task<T> WithProgressAsync<T>(
        IProgress<LayerProgress> progress,
        Func<Guid, Task<T>> call,
        Func<T, IReadOnlyCollection<(int Text, int Attempt, string Device, int Layers)>> expected,
        CancellationToken cancellation)
    {
        var id = Guid.NewGuid();
        var relay = new LayerProgressRelay(progress);
        var stream = _grains.GetStreamProvider(GalaxyStreams.ProviderName).GetStream<LayerProgress>(GalaxyStreams.Progress(id));

        // Subscribe before the call: a memory stream does not replay what was published before a subscription.
        var subscription = await stream.SubscribeAsync((e, _) => relay.OnNextAsync(e)).WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var result = await call(id).WaitAsync(cancellation).ConfigureAwait(false);
            await relay.WaitForAsync(expected(result), ProgressTail, cancellation).ConfigureAwait(false);
            return result;
        }
        finally
        {
            try
            {
                await subscription.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The result (or the call's own error) matters more than a subscription the cluster may have lost with a silo.
            }
        }
    }

    /// <summary>Succeeds when the cluster's membership table (in Redis) lists at least one gateway.</summary>
    /// <exception cref="GalaxyConnectionException">Redis does not answer, or no silo of the cluster is registered.</exception>
    private static async Task ExpectRegisteredGatewaysAsync(GalaxyConnection connection, IGatewayListProvider gateways, CancellationToken cancellation)
    {
        IList<Uri> listed;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(connection.ConnectTimeout);
            await gateways.InitializeGatewayListProvider().WaitAsync(timeout.Token).ConfigureAwait(false);
            listed = await gateways.GetGateways().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            throw new GalaxyConnectionException($"cannot reach {connection}: the Redis server does not answer ({e.FailureType}).", e);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new GalaxyConnectionException($"cannot reach {connection}: Redis gave no gateway list within {connection.ConnectTimeout.TotalSeconds:F0} s.", e);
        }

        if (listed.Count == 0)
        {
            throw new GalaxyConnectionException(
                $"cannot reach {connection}: no live silo of cluster '{connection.ClusterId}' is registered there (are the silos running with --cluster {connection.ClusterId} --redis {connection.Redis}?).");
        }
    }

    /// <summary>Tries a TCP connection to each endpoint: per endpoint null when it accepts, else why not.</summary>
    private static async Task<string?[]> ProbeAsync(IReadOnlyList<IPEndPoint> endpoints, CancellationToken cancellation)
    {
        var probes = endpoints.Select(async endpoint =>
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(ProbeTimeout);
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                return null;
            }
            catch (SocketException e)
            {
                return $"{endpoint}: {e.SocketErrorCode}";
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                return $"{endpoint}: no answer within {ProbeTimeout.TotalSeconds:F0} s";
            }
        }).ToArray();
        return await Task.WhenAll(probes).ConfigureAwait(false);
    }

    private static void CheckModel(string model)
    {
        if (string.IsNullOrWhiteSpace(model) || model.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new ArgumentException($"A model id is a plain name such as '{ModelCatalog.MiniLmId}', got '{model}'.", nameof(model));
        }
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException or ObjectDisposedException or SocketException)
        {
            // A client that never connected, or whose cluster went away, has nothing to close cleanly.
        }
        finally
        {
            host.Dispose();
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null && e is AggregateException)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
