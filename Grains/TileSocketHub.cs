using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Kernels.Parallel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Galaxy.Grains;

/// <summary>
/// The silo's tile data plane: a TCP listener on the silo's address (port <see cref="GalaxyDeviceOptions.TilePort"/>,
/// 0 = any free port) whose receive loops read frames (<see cref="TileFrameHeader"/>) into pooled buffers and deposit
/// them straight into the destination shard's <see cref="TileInbox"/>, and one persistent outgoing connection per
/// peer endpoint (connected on first use, reused by every request, <c>TCP_NODELAY</c>). Orleans keeps the control
/// plane; peers learn this silo's <see cref="Endpoint"/> from its device agent (<see cref="IDeviceGrain.GetTileEndpointAsync"/>).
/// </summary>
/// <remarks>
/// A connection that drops fails the running requests that wait for tiles from its peer (both directions: the
/// peer's incoming connection names it in its hello frame). A malformed frame or one for a shard this silo does not
/// host is logged and closes that connection, never the silo.
/// </remarks>
public sealed partial class TileSocketHub(
    TileInboxes inboxes,
    DeviceDirectory directory,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<GalaxyDeviceOptions> options,
    IOptions<EndpointOptions> endpoints,
    ILogger<TileSocketHub> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan EndpointTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task<TileConnection>> _outgoing = [];
    private readonly ConcurrentDictionary<Socket, byte> _incoming = new();
    private readonly ConcurrentDictionary<SiloAddress, string> _endpoints = new();
    private Socket? _listener;
    private string? _endpoint;

    /// <summary>"host:port" where peers reach this silo's tiles (the silo's advertised address and the bound port).</summary>
    /// <exception cref="InvalidOperationException">The hub has not started.</exception>
    public string Endpoint => _endpoint ?? throw new InvalidOperationException("The tile socket hub has not started yet.");

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(TileSocketHub), ServiceLifecycleStage.RuntimeServices, _ => StartAsync(), _ => StopAsync());
    }

    /// <summary>Binds the listener and starts accepting peers.</summary>
    /// <exception cref="InvalidOperationException">The port is taken or the address is not this machine's; the message names both.</exception>
    public Task StartAsync()
    {
        var advertised = silo.SiloAddress.Endpoint.Address;
        var bind = endpoints.Value.SiloListeningEndpoint?.Address ?? advertised;
        var port = options.Value.TilePort;
        var listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(bind, port));
            listener.Listen(64);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new InvalidOperationException($"Device '{options.Value.Device}' cannot listen for tiles on {bind}:{port}: {ex.Message} (set --tile-port to a free port, or 0 for any).", ex);
        }

        _listener = listener;
        _endpoint = new IPEndPoint(advertised, ((IPEndPoint)listener.LocalEndPoint!).Port).ToString();
        Listening(logger, options.Value.Device, _endpoint, bind);
        _ = AcceptAsync(listener);
        return Task.CompletedTask;
    }

    /// <summary>Closes the listener and every connection; waiting requests that expected tiles over them fail.</summary>
    public Task StopAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Dispose();
        foreach (var socket in _incoming.Keys)
        {
            socket.Dispose();
        }

        List<Task<TileConnection>> outgoing;
        lock (_gate)
        {
            outgoing = [.. _outgoing.Values];
            _outgoing.Clear();
        }

        foreach (var connection in outgoing.Where(c => c.IsCompletedSuccessfully))
        {
            connection.Result.Dispose();
        }
    }

    /// <summary>The tile endpoint of <paramref name="device"/>'s silo, asked from its device agent once per silo incarnation.</summary>
    /// <exception cref="IOException">The device did not answer; the message names it.</exception>
    public async Task<string> EndpointOfAsync(string device)
    {
        var silo = directory.ActiveSilos().Where(entry => entry.Device == device).Select(entry => entry.Silo).FirstOrDefault();
        if (silo is not null && _endpoints.TryGetValue(silo, out var known))
        {
            return known;
        }

        string endpoint;
        try
        {
            endpoint = await grains.GetGrain<IDeviceGrain>(DeviceKeys.Agent(device)).GetTileEndpointAsync().WaitAsync(EndpointTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new IOException($"Device '{device}' did not tell its tile endpoint: {ex.Message}", ex);
        }

        if (silo is not null)
        {
            _endpoints[silo] = endpoint;
        }

        return endpoint;
    }

    /// <summary>Sends one tile to <paramref name="peer"/>'s shard; completes when <paramref name="payload"/> may be reused.</summary>
    /// <exception cref="IOException">The peer cannot be reached or the connection failed; the message names the device and endpoint.</exception>
    internal async ValueTask SendAsync(TilePeer peer, TileKey key, int sourceRank, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (peer.Endpoint == _endpoint)
        {
            // A peer on this silo (another stage of the same device): no socket.
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 1));
            payload.CopyTo(buffer);
            inboxes.Of(peer.Shard, key.RequestId).Deposit(sourceRank, key, new ReceivedTile(buffer, payload.Length, Pooled: true));
            return;
        }

        var connection = await ConnectionAsync(peer, cancellationToken).ConfigureAwait(false);
        await connection.WriteTileAsync(peer, key, sourceRank, payload, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<TileConnection> ConnectionAsync(TilePeer peer, CancellationToken cancellationToken)
    {
        Task<TileConnection> connecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (!_outgoing.TryGetValue(peer.Endpoint, out connecting!) || connecting.IsFaulted || connecting.IsCanceled
                || (connecting.IsCompletedSuccessfully && connecting.Result.IsClosed))
            {
                connecting = ConnectAsync(peer.Device, peer.Endpoint);
                _outgoing[peer.Endpoint] = connecting;
            }
        }

        return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<TileConnection> ConnectAsync(string device, string endpoint)
    {
        if (!IPEndPoint.TryParse(endpoint, out var address))
        {
            throw new IOException($"Device '{device}' gave a tile endpoint that is not host:port: '{endpoint}'.");
        }

        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        TileConnection connection;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(address, timeout.Token).ConfigureAwait(false);
            connection = new TileConnection(socket, device, endpoint);
            await connection.SendHelloAsync(options.Value.Device, Endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            socket.Dispose();
            var reason = ex is OperationCanceledException ? $"no answer within {ConnectTimeout.TotalSeconds:F0} s" : ex.Message;
            ConnectFailed(logger, ex, options.Value.Device, device, endpoint);
            throw new IOException($"Cannot reach device '{device}' at tile endpoint {endpoint}: {reason}", ex);
        }

        _ = WatchAsync(connection);
        return connection;
    }

    private async Task WatchAsync(TileConnection connection)
    {
        await connection.WatchAsync().ConfigureAwait(false);
        lock (_gate)
        {
            if (_outgoing.TryGetValue(connection.Endpoint, out var current) && current.IsCompletedSuccessfully && ReferenceEquals(current.Result, connection))
            {
                _outgoing.Remove(connection.Endpoint);
            }
        }

        Dropped(connection.Device, connection.Endpoint, "outgoing");
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                AcceptFailed(logger, ex, options.Value.Device);
                continue;
            }

            socket.NoDelay = true;
            _incoming[socket] = 0;

            // One thread per incoming peer, blocked in the socket's read: the kernel wakes it straight when a frame
            // lands, one thread hop fewer than an async read (completion port, then the thread pool), and it never
            // waits behind the devices' work in the pool's queue. A silo has one incoming connection per peer silo.
            new Thread(() => Receive(socket)) { IsBackground = true, Name = $"tiles from {socket.RemoteEndPoint}" }.Start();
        }
    }

    /// <summary>Reads frames from one peer until the connection ends or a frame is malformed (on its own thread).</summary>
    private void Receive(Socket socket)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        string? peerDevice = null;
        string? peerEndpoint = null;
        var header = new byte[TileFrameHeader.Size];
        var keyBytes = new byte[TileFrameHeader.MaxShardKeyBytes];
        byte[] lastKeyBytes = [];
        var lastKey = "";
        using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            while (true)
            {
                var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
                if (read == 0)
                {
                    break;
                }

                if (read < header.Length)
                {
                    throw new EndOfStreamException("the connection ended inside a frame header");
                }

                var frame = TileFrameHeader.Read(header);
                if (frame.Kind == TileFrameKind.Hello)
                {
                    var hello = new byte[frame.PayloadLength];
                    stream.ReadExactly(hello);
                    var parts = Encoding.UTF8.GetString(hello).Split(' ');
                    if (parts.Length != 2 || parts[0].Length == 0 || !IPEndPoint.TryParse(parts[1], out _))
                    {
                        throw new InvalidDataException("the hello frame is not \"device host:port\"");
                    }

                    (peerDevice, peerEndpoint) = (parts[0], parts[1]);
                    continue;
                }

                if (peerEndpoint is null)
                {
                    throw new InvalidDataException("a tile frame came before the hello frame");
                }

                var key = keyBytes.AsSpan(0, frame.ShardKeyLength);
                stream.ReadExactly(key);
                if (!key.SequenceEqual(lastKeyBytes))
                {
                    var shard = Encoding.UTF8.GetString(key);
                    if (!Hosts(shard))
                    {
                        throw new InvalidDataException($"the frame is for shard '{shard}', which device '{options.Value.Device}' does not host");
                    }

                    (lastKey, lastKeyBytes) = (shard, key.ToArray());
                }

                var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(frame.PayloadLength, 1));
                try
                {
                    stream.ReadExactly(buffer.AsSpan(0, frame.PayloadLength));
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                try
                {
                    inboxes.Of(lastKey, frame.RequestId).Deposit(frame.SourceRank, frame.Key, new ReceivedTile(buffer, frame.PayloadLength, Pooled: true));
                }
                catch (InvalidOperationException ex)
                {
                    // A duplicate tile is the sender's bug in one request; the connection carries others' tiles too.
                    DuplicateTile(logger, ex, options.Value.Device, peerDevice!, peerEndpoint);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            MalformedFrame(logger, options.Value.Device, peerDevice ?? "(no hello yet)", remote, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended: reported below.
        }
        finally
        {
            _incoming.TryRemove(socket, out _);
        }

        if (peerEndpoint is not null)
        {
            Dropped(peerDevice!, peerEndpoint, "incoming");
        }
    }

    private void Dropped(string device, string endpoint, string direction)
    {
        var failure = new IOException($"The tile connection with device '{device}' at {endpoint} dropped.");
        var failed = inboxes.FailFrom(endpoint, failure);
        if (!_stopping.IsCancellationRequested)
        {
            ConnectionDropped(logger, options.Value.Device, direction, device, endpoint, failed);
        }
    }

    /// <summary>Whether <paramref name="shard"/> is a shard key of this silo's device.</summary>
    private bool Hosts(string shard)
    {
        try
        {
            return DeviceKeys.DeviceOf(shard) == options.Value.Device;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
