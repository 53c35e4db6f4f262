using System.Text.Json;
using Galaxy.Client;
using Galaxy.Silo;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests.Cli;

/// <summary>The galaxy CLI in process without a cluster: bad connection options and input, an unreachable cluster, and local infer.</summary>
public sealed class GalaxyCommandLineTests
{
    [Theory]
    [InlineData("embed --model minilm --gateway 127.0.0.1 hi", "galaxy embed: --gateway must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got '127.0.0.1'.")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:http hi", "galaxy embed: --gateway must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got '127.0.0.1:http'.")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:30000,::1 hi", "galaxy embed: --gateway must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got '::1'.")]
    [InlineData("infer --model minilm --redis redis --ids 1", "galaxy infer: --redis must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got 'redis'.")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:30000 --redis 127.0.0.1:6379 hi", "galaxy embed: give either --gateway or --redis, not both.")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:30000 --cluster EMPTY hi", "galaxy embed: --cluster must not be empty.")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:30000 --threads 2 hi", "galaxy embed: --threads and --truncate apply to a local run")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:30000 --truncate hi", "galaxy embed: --threads and --truncate apply to a local run")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:30000 BLANK", "galaxy embed: every text must contain something other than whitespace.")]
    [InlineData("embed --model minilm --gateway 127.0.0.1:30000", "galaxy embed: Required argument 'text' missing")]
    [InlineData("infer --model minilm --gateway 127.0.0.1:30000", "galaxy infer: give the input as either --text \"…\" or --ids 101,7592,102 (exactly one of them).")]
    [InlineData("infer --model minilm --text hi --ids 1", "galaxy infer: give the input as either --text \"…\" or --ids 101,7592,102 (exactly one of them).")]
    [InlineData("infer --model minilm --ids 1,,2", "galaxy infer: --ids must be whole numbers separated by commas (e.g. 101,7592,102); '' is not one.")]
    [InlineData("infer --model minilm --ids 101,x", "galaxy infer: --ids must be whole numbers separated by commas (e.g. 101,7592,102); 'x' is not one.")]
    [InlineData("infer --model minilm --gateway 127.0.0.1:30000 --threads 2 --ids 1", "galaxy infer: --threads applies to a local run")]
    [InlineData("cluster status", "galaxy cluster status: cluster status needs --gateway host:port or --redis host:port.")]
    [InlineData("cluster statuz", "galaxy cluster: Unrecognized command or argument 'statuz'.")]
    public async Task Command_BadInput_OneLineAndExitTwo(string commandLine, string expected)
    {
        var arguments = commandLine.Split(' ').Select(a => a switch { "BLANK" => " ", "EMPTY" => "", _ => a }).ToArray();

        var (exit, output, error) = await InvokeAsync(arguments, TestContext.Current.CancellationToken);

        Assert.True(exit == 2, $"exit {exit}: {error}");
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Embed_UnreachableGateways_NamesEveryGatewayAndExitsTwo()
    {
        var ports = FreePorts.Take(2);

        var (exit, _, error) = await InvokeAsync(
            ["embed", "--model", "minilm", "--gateway", $"127.0.0.1:{ports[0]}", "--gateway", $"localhost:{ports[1]}", "hi"], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith($"galaxy embed: cannot reach cluster 'galaxy' via gateway 127.0.0.1:{ports[0]}, localhost:{ports[1]}: no gateway accepts connections (", error, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task ClusterStatus_RedisNotRunning_SaysSoAndExitsTwo()
    {
        var port = FreePorts.Take(1)[0];

        var (exit, _, error) = await InvokeAsync(["cluster", "status", "--redis", $"127.0.0.1:{port}", "--cluster", "c1"], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Equal($"galaxy cluster status: cannot reach cluster 'c1' via redis 127.0.0.1:{port}: the Redis server does not answer (127.0.0.1:{port}: ConnectionRefused).", error.TrimEnd());
    }

    [Fact]
    public async Task Connect_WrongClusterId_TimesOutWithAHint()
    {
        // A gateway that accepts the socket but never speaks Orleans, as a silo of another cluster behaves.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var connection = GalaxyConnection.ThroughGateways("other", new HostPort("127.0.0.1", port)) with { ConnectTimeout = TimeSpan.FromSeconds(2) };

        var error = await Assert.ThrowsAsync<GalaxyConnectionException>(() => GalaxyClient.ConnectAsync(connection, TestContext.Current.CancellationToken));

        Assert.Equal($"cannot reach cluster 'other' via gateway 127.0.0.1:{port}: no Orleans handshake within 2 s (is --cluster 'other' the silos' cluster id?)", error.Message);
    }

    [Fact]
    public void Connection_NeitherOrBoth_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new GalaxyConnection([], null).Validate());
        Assert.Throws<ArgumentException>(() => new GalaxyConnection([new HostPort("a", 1)], new HostPort("b", 2)).Validate());
        Assert.Throws<ArgumentException>(() => GalaxyConnection.ThroughGateways(" ", new HostPort("a", 1)).Validate());
    }

    [Fact]
    public async Task Infer_LocalText_JsonMatchesTheEncoder()
    {
        var (exit, output, error) = await InvokeAsync(["infer", "--model", SystemModels.MiniLmDirectory, "--text", "Hello, world!", "--threads", "1", "--json"], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var ids = json.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], ids);
        var hidden = json.RootElement.GetProperty("hidden").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(e => e.GetSingle())).ToArray();
        Agreement.AssertClose(SystemModels.Hidden(ids), hidden, "local hidden states");
        Assert.Equal(0, json.RootElement.GetProperty("devices").GetArrayLength());
    }

    [Theory]
    [InlineData("--ids 101,40000,102", "galaxy infer: token 1 has id 40000, outside the vocabulary 0…30521 of '")]
    [InlineData("--ids MANY", "galaxy infer: 513 tokens do not fit '")]
    [InlineData("--text LONG", "galaxy infer: The text needs 602 tokens but the model takes at most 512")]
    public async Task Infer_LocalBadInput_OneLineAndExitTwo(string input, string expected)
    {
        var parts = input.Split(' ');
        var value = parts[1] switch
        {
            "MANY" => string.Join(',', Enumerable.Repeat(1000, 513)),
            "LONG" => string.Join(' ', Enumerable.Repeat("word", 600)),
            var given => given,
        };

        var (exit, _, error) = await InvokeAsync(["infer", "--model", SystemModels.MiniLmDirectory, parts[0], value, "--threads", "1"], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(string[] arguments, CancellationToken cancellation)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await GalaxyCommandLine.InvokeAsync(arguments, output, error, cancellation);
        return (exit, output.ToString(), error.ToString());
    }
}
