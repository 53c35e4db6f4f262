using System.Text.Json;
using Galaxy.Silo;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests;

/// <summary>
/// A real redis-server and three silo processes with Redis clustering: galaxy embed through Redis as a separate
/// process matches MiniLM on one device; a silo stopped with SIGTERM exits 0, the cluster notices, and the next
/// request runs on the two devices left. Fails (does not skip) when redis-server is not installed.
/// </summary>
[Collection(ProcessCollectionDefinition.Name)]
public sealed class RedisClusterTests
{
    private static readonly string[] Texts = ["A cat sits on the mat.", "Edge devices work together so that none of them has to hold the whole model."];

    [Fact(Timeout = 300_000)]
    public async Task RedisClustering_EmbedThenSigterm_MatchesSingleDeviceAndKeepsServing()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _ = SystemModels.MiniLmDirectory;
        await using var redis = await RedisServer.StartAsync(cancellation);
        await using var cluster = new SiloCluster($"redis-{Guid.NewGuid():N}"[..14], new HostPort("127.0.0.1", redis.Port));
        string[] devices = ["dev1", "dev2", "dev3"];
        var ports = Galaxy.Silo.FreePorts.Take(6);
        for (var i = 0; i < devices.Length; i++)
        {
            await cluster.StartSiloAsync(devices[i], ports[3 + i], cluster.SiloArguments(devices[i], ports[i], ports[3 + i], primaryPort: null), cancellation);
        }

        await cluster.WaitForDevicesAsync(devices, TimeSpan.FromSeconds(60), cancellation);
        Assert.Contains($"redis clustering via 127.0.0.1:{redis.Port}", cluster.Silos["dev2"].Output, StringComparison.Ordinal);
        await EmbedAndCompareAsync(cluster, devices, cancellation);

        var dev3 = cluster.Silos["dev3"];
        dev3.Terminate();
        var exit = await dev3.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellation);

        Assert.True(exit == 0, $"dev3 exit code {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none within 60 s"}:\n{dev3.Output}");
        Assert.Contains("Device dev3 stopped", dev3.Output, StringComparison.Ordinal);
        await cluster.WaitForDevicesAsync(["dev1", "dev2"], TimeSpan.FromSeconds(30), cancellation);
        await EmbedAndCompareAsync(cluster, ["dev1", "dev2"], cancellation);
    }

    [Fact]
    public void RedisServer_IsInstalled()
    {
        // The Redis system test fails rather than skips without it; this names the cause on its own line.
        Assert.True(File.Exists(RedisServer.FindProgram()));
    }

    private static async Task EmbedAndCompareAsync(SiloCluster cluster, string[] devices, CancellationToken cancellation)
    {
        var (exit, output, error) = await GalaxyCli.RunAsync(TimeSpan.FromMinutes(3), cancellation, ["embed", "--model", "minilm", "--json", .. cluster.ConnectionArguments, .. Texts]);

        Assert.True(exit == 0, $"galaxy embed exited {exit}: {error}\n{cluster.Logs}");
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        for (var t = 0; t < Texts.Length; t++)
        {
            var used = results[t].GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("device").GetString()).Order();
            Assert.Equal(devices, used);
            var embedding = results[t].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Agreement.AssertClose(SystemModels.Embed(Texts[t]), embedding, $"embedding of \"{Texts[t]}\" on {devices.Length} devices");
        }
    }
}
