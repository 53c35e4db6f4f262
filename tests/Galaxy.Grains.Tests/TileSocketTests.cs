using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Kernels.Parallel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>
/// The tile data plane between the cluster's device silos (<see cref="TileSocketHub"/>): frames arrive intact at any
/// size, bad frames close only their connection, a dropped connection fails the receives waiting on its peer, an
/// unreachable peer is named, and inference on either transport equals the single-device model.
/// </summary>
[Collection(ClusterCollectionDefinition.Name)]
public sealed class TileSocketTests(ClusterFixture fixture) : IDisposable
{
    private const double Tolerance = 1e-5;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly SingleDeviceReference _reference = new(fixture.MiniLmDirectory);

    public static TheoryData<int> PayloadSizes => [0, 1000, 64 << 10, (8 << 20) + 3];

    public static TheoryData<string> MalformedFrames => ["bad magic", "payload too long", "unknown shard", "tile before hello", "bad hello"];

    [Theory]
    [MemberData(nameof(PayloadSizes))]
    public async Task Send_AnySize_ArrivesIntactInTheShardsInbox(int bytes)
    {
        // 8 MiB is larger than a loopback socket's buffers: the frame crosses in many reads.
        var payload = new byte[bytes];
        new Random(bytes).NextBytes(payload);
        var key = new TileKey(Random.Shared.NextInt64(1, long.MaxValue), 3, CollectivePhase.MlpReduce, 1, 0);
        var (sender, receiver) = (Silo("dev1"), Silo("dev2"));
        var inboxes = receiver.GetRequiredService<TileInboxes>();
        var inbox = inboxes.Claim("minilm/dev2", key.RequestId, []);
        var received = new byte[bytes];
        try
        {
            var receiving = inbox.ReceiveAsync(1, 0, key, received, TestContext.Current.CancellationToken).AsTask();
            await sender.GetRequiredService<TileSocketHub>().SendAsync(Peer("dev2", receiver), key, 0, payload, TestContext.Current.CancellationToken);
            await receiving.WaitAsync(Limit, TestContext.Current.CancellationToken);
        }
        finally
        {
            inboxes.Release("minilm/dev2", key.RequestId);
        }

        Assert.Equal(payload, received);
    }

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task Receive_MalformedFrame_ClosesThatConnectionAndTheSiloKeepsServing(string frame)
    {
        var receiver = Silo("dev2");
        using var socket = await ConnectAsync(receiver);
        var bytes = frame switch
        {
            "bad magic" => [.. Enumerable.Repeat((byte)0xAB, TileFrameHeader.Size)],
            "payload too long" => [.. Hello("ghost", "127.0.0.1:9"), .. TileFrame("minilm/dev2", TileFrameHeader.MaxPayloadBytes + 1, [])],
            "unknown shard" => [.. Hello("ghost", "127.0.0.1:9"), .. TileFrame("minilm/dev9", 4, [1, 2, 3, 4])],
            "tile before hello" => TileFrame("minilm/dev2", 4, [1, 2, 3, 4]),
            "bad hello" => Hello("ghost", "not-an-endpoint"),
            _ => throw new ArgumentOutOfRangeException(nameof(frame)),
        };
        await socket.SendAsync(bytes, SocketFlags.None, TestContext.Current.CancellationToken);

        Assert.True(await ClosedByPeerAsync(socket), $"{frame}: the hub kept the connection open");

        // The same silo still takes well-formed tiles.
        var key = new TileKey(Random.Shared.NextInt64(1, long.MaxValue), 0, CollectivePhase.AttentionGather, 0, 0);
        var inboxes = receiver.GetRequiredService<TileInboxes>();
        var inbox = inboxes.Claim("minilm/dev2", key.RequestId, []);
        var received = new byte[3];
        try
        {
            await Silo("dev1").GetRequiredService<TileSocketHub>().SendAsync(Peer("dev2", receiver), key, 0, new byte[] { 7, 8, 9 }, TestContext.Current.CancellationToken);
            await inbox.ReceiveAsync(1, 0, key, received, TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit, TestContext.Current.CancellationToken);
        }
        finally
        {
            inboxes.Release("minilm/dev2", key.RequestId);
        }

        Assert.Equal([7, 8, 9], received);
    }

    [Fact]
    public async Task Receive_PeerConnectionDrops_WaitingReceiveFailsNamingThePeer()
    {
        var receiver = Silo("dev2");
        var inboxes = receiver.GetRequiredService<TileInboxes>();
        var requestId = Random.Shared.NextInt64(1, long.MaxValue);
        var first = new TileKey(requestId, 0, CollectivePhase.AttentionGather, 0, 0);
        var second = first.At(1, 0);
        var inbox = inboxes.Claim("minilm/dev2", requestId, ["127.0.0.1:9"]);
        try
        {
            using (var socket = await ConnectAsync(receiver))
            {
                await socket.SendAsync((byte[])[.. Hello("ghost", "127.0.0.1:9"), .. TileFrame("minilm/dev2", 2, [5, 6], first)], SocketFlags.None, TestContext.Current.CancellationToken);

                // The first tile arriving proves the hub read the hello; the second never comes.
                await inbox.ReceiveAsync(1, 0, first, new byte[2], TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit, TestContext.Current.CancellationToken);
                var waiting = inbox.ReceiveAsync(1, 0, second, new byte[2], TestContext.Current.CancellationToken).AsTask();
                socket.Shutdown(SocketShutdown.Both);
                socket.Close();

                var error = await Assert.ThrowsAsync<IOException>(() => waiting.WaitAsync(Limit, TestContext.Current.CancellationToken));
                Assert.Contains("'ghost'", error.Message, StringComparison.Ordinal);
                Assert.Contains("127.0.0.1:9", error.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            inboxes.Release("minilm/dev2", requestId);
        }
    }

    [Fact]
    public async Task Send_PeerEndpointUnreachable_ClearErrorNamingDeviceAndEndpoint()
    {
        var port = Galaxy.Silo.FreePorts.Take(1)[0];
        var endpoint = new IPEndPoint(IPAddress.Loopback, port).ToString();
        var key = new TileKey(Random.Shared.NextInt64(1, long.MaxValue), 0, CollectivePhase.AttentionGather, 0, 0);

        var error = await Assert.ThrowsAsync<IOException>(async () =>
            await Silo("dev1").GetRequiredService<TileSocketHub>().SendAsync(new TilePeer("dev7", "minilm/dev7", endpoint), key, 0, new byte[] { 1 }, TestContext.Current.CancellationToken));

        Assert.Contains("'dev7'", error.Message, StringComparison.Ordinal);
        Assert.Contains(endpoint, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TileTransport.Sockets)]
    [InlineData(TileTransport.GrainCalls)]
    public async Task Infer_EachTransport_HiddenStateEqualsSingleDevice(TileTransport transport)
    {
        var ids = _reference.Tokenizer.Encode("Tiles cross between the device silos over their own sockets or as grain calls.");
        // Earlier tests of this cluster may have left inboxes of requests that never started (swept later); this request must add none.
        var before = ClusterFixture.Devices.ToDictionary(device => device, device => Silo(device).GetRequiredService<TileInboxes>().Count);
        UseTransport(transport);
        InferResult result;
        try
        {
            result = await fixture.Client.GetGrain<IInferenceGrain>("minilm").InferAsync(ids).WaitAsync(Limit, TestContext.Current.CancellationToken);
        }
        finally
        {
            UseTransport(TileTransport.Sockets);
        }

        Assert.Equal(ClusterFixture.Devices, result.Devices.Select(d => d.Device));
        var expected = _reference.Hidden(ids);
        var scale = Math.Max(1.0, expected.Max(v => Math.Abs((double)v)));
        var worst = expected.Zip(result.Hidden.ToArray(), (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= Tolerance * scale, $"{transport}: max |Δ| = {worst:E2} (tolerance {Tolerance * scale:E2})");
        Assert.All(ClusterFixture.Devices, device => Assert.True(Silo(device).GetRequiredService<TileInboxes>().Count <= before[device], $"{device} kept an inbox of this request"));
    }

    public void Dispose() => _reference.Dispose();

    private IServiceProvider Silo(string device) =>
        fixture.Cluster.GetActiveSilos().Cast<InProcessSiloHandle>().Select(s => s.ServiceProvider)
            .Single(services => services.GetRequiredService<IOptions<GalaxyDeviceOptions>>().Value.Device == device);

    private void UseTransport(TileTransport transport)
    {
        foreach (var device in ClusterFixture.Devices)
        {
            Silo(device).GetRequiredService<IOptions<GalaxyDeviceOptions>>().Value.TileTransport = transport;
        }
    }

    private static TilePeer Peer(string device, IServiceProvider silo) =>
        new(device, $"minilm/{device}", silo.GetRequiredService<TileSocketHub>().Endpoint);

    private static async Task<Socket> ConnectAsync(IServiceProvider silo)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPEndPoint.Parse(silo.GetRequiredService<TileSocketHub>().Endpoint), TestContext.Current.CancellationToken);
        return socket;
    }

    /// <summary>Whether the far end closes the connection (a read ends or is reset) before <see cref="Limit"/>.</summary>
    private static async Task<bool> ClosedByPeerAsync(Socket socket)
    {
        try
        {
            var read = await socket.ReceiveAsync(new byte[16], SocketFlags.None, TestContext.Current.CancellationToken).AsTask().WaitAsync(Limit, TestContext.Current.CancellationToken);
            return read == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static byte[] Hello(string device, string endpoint)
    {
        var text = Encoding.UTF8.GetBytes($"{device} {endpoint}");
        var header = new byte[TileFrameHeader.Size];
        new TileFrameHeader(TileFrameKind.Hello, 0, 0, 0, 0, 0, 0, 0, text.Length).Write(header);
        return [.. header, .. text];
    }

    private static byte[] TileFrame(string shard, int payloadLength, byte[] payload, TileKey? key = null)
    {
        var shardBytes = Encoding.UTF8.GetBytes(shard);
        var header = new byte[TileFrameHeader.Size];
        TileFrameHeader.ForTile(key ?? new TileKey(1, 0, CollectivePhase.AttentionGather, 0, 0), 0, shardBytes.Length, payloadLength).Write(header);
        return [.. header, .. shardBytes, .. payload];
    }
}
