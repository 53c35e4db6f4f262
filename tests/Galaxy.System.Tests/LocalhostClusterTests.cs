using System.Text.Json;
using System.Text.RegularExpressions;
using Galaxy.Client;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests;

/// <summary>
/// Three real silo processes (localhost clustering) and the galaxy CLI against them — as a separate process and in
/// process — checked against MiniLM on one device; bad input; and a silo that leaves on SIGTERM.
/// </summary>
[Collection(ProcessCollectionDefinition.Name)]
public sealed partial class LocalhostClusterTests(LocalhostClusterFixture fixture) : IClassFixture<LocalhostClusterFixture>
{
    private static readonly TimeSpan CliLimit = TimeSpan.FromMinutes(3);

    private static readonly string[] Texts =
    [
        "A cat sits on the mat.",
        "Galaxy splits one inference across several devices on a local network.",
        "Stock markets fell sharply.",
    ];

    private SiloCluster Cluster => fixture.Cluster;

    [Fact(Timeout = 300_000)]
    public async Task Embed_GalaxyProcessThroughGateways_MatchesSingleDevice()
    {
        var (exit, output, error) = await GalaxyCli.RunAsync(CliLimit, TestContext.Current.CancellationToken,
            ["embed", "--model", "minilm", "--json", .. Cluster.ConnectionArguments, .. Texts]);

        Assert.True(exit == 0, $"galaxy embed exited {exit}: {error}\n{Cluster.Logs}");
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(Texts.Length, results.GetArrayLength());
        for (var t = 0; t < Texts.Length; t++)
        {
            var result = results[t];
            Assert.Equal(Texts[t], result.GetProperty("text").GetString());
            var tokens = SystemModels.Tokenize(Texts[t]).Length;
            Assert.Equal(tokens, result.GetProperty("tokens").GetInt32());
            var devices = result.GetProperty("devices").EnumerateArray().ToList();
            Assert.Equal(LocalhostClusterFixture.Devices, devices.Select(d => d.GetProperty("device").GetString()).Order());
            Assert.Equal(tokens, devices.Sum(d => d.GetProperty("rows").GetInt32()));
            Assert.Equal(12, devices.Sum(d => d.GetProperty("heads").GetInt32()));
            Agreement.AssertClose(SystemModels.Embed(Texts[t]), Floats(result.GetProperty("embedding")), $"embedding of \"{Texts[t]}\"");
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Infer_TextThroughInProcessCliWithOneDeadGateway_JsonMatchesSingleDeviceHiddenStates()
    {
        var dead = Galaxy.Silo.FreePorts.Take(1)[0];

        var (exit, output, error) = await InvokeAsync(
            ["infer", "--model", "minilm", "--text", "Hello, world!", "--json", "--gateway", $"127.0.0.1:{dead}", .. Cluster.ConnectionArguments], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, $"galaxy infer exited {exit}: {error}\n{Cluster.Logs}");
        using var json = JsonDocument.Parse(output);
        var ids = json.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], ids);
        Assert.Equal(384, json.RootElement.GetProperty("hidden_size").GetInt32());
        var hidden = json.RootElement.GetProperty("hidden").EnumerateArray().SelectMany(Floats).ToArray();
        Agreement.AssertClose(SystemModels.Hidden(ids), hidden, "hidden states of \"Hello, world!\"");
        var devices = json.RootElement.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(3, devices.Count);
        Assert.All(devices, d => Assert.Equal(6, d.GetProperty("layers").GetArrayLength()));
    }

    [Fact(Timeout = 300_000)]
    public async Task EmbedWithProgress_GalaxyClient_EveryDeviceReportsEveryLayerOfEachText()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var progress = new ProgressRecorder();
        var client = await GalaxyClient.ConnectAsync(Cluster.Connection, cancellation);
        await using (client)
        {
            var result = await client.EmbedAsync("minilm", Texts[..2], progress, cancellation);

            // The client returns once the runs behind the result have reported every layer (or after its tail wait).
            var events = progress.Events;
            Assert.Equal(2 * 3 * 6, events.Count);
            for (var text = 0; text < 2; text++)
            {
                Assert.Equal(1, result.Texts[text].Attempts);
                var devices = result.Texts[text].Devices.Select(d => d.Device).Order().ToArray();
                Assert.Equal(LocalhostClusterFixture.Devices, devices);
                foreach (var device in devices)
                {
                    var layers = events.Where(e => e.Text == text && e.Device == device).Select(e => e.Layer).Order();
                    Assert.Equal(Enumerable.Range(0, 6), layers);
                }

                Agreement.AssertClose(SystemModels.Embed(Texts[text]), result.Embedding(text), $"embedding of \"{Texts[text]}\" with progress");
            }

            Assert.All(events, e => Assert.Equal((6, 1), (e.Layers, e.Attempt)));
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task InferWithProgress_GalaxyClient_ReportsLayersInOrderPerDeviceAndTheSameHiddenStates()
    {
        var cancellation = TestContext.Current.CancellationToken;
        int[] ids = [101, 7592, 1010, 2088, 999, 102];
        var progress = new ProgressRecorder();
        var client = await GalaxyClient.ConnectAsync(Cluster.Connection, cancellation);
        await using (client)
        {
            var result = await client.InferAsync("minilm", ids, progress, cancellation);

            var events = progress.Events;
            Assert.Equal(result.Devices.Count * 6, events.Count);
            Assert.Single(events.Select(e => e.RequestId).Distinct());
            foreach (var device in result.Devices)
            {
                // One stream, one queue: a device's layers arrive in the order it finished them.
                Assert.Equal(Enumerable.Range(0, 6), events.Where(e => e.Device == device.Device).Select(e => e.Layer));
            }

            Agreement.AssertClose(SystemModels.Hidden(ids), result.Hidden.ToArray(), "hidden states with progress");
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Infer_GalaxyProcessInATerminal_ShowsABarPerDeviceThenTheSummary()
    {
        var (exit, terminal) = await GalaxyCli.RunInTerminalAsync(CliLimit, TestContext.Current.CancellationToken,
            ["infer", "--model", "minilm", "--ids", "101,7592,1010,2088,999,102", .. Cluster.ConnectionArguments]);

        Assert.True(exit == 0, $"galaxy infer in a terminal exited {exit}:\n{terminal}\n{Cluster.Logs}");
        Assert.All(LocalhostClusterFixture.Devices, device => Assert.Contains($"{device}  6/6 layers", terminal, StringComparison.Ordinal));
        Assert.Contains("100%", terminal, StringComparison.Ordinal);
        Assert.Contains("minilm: 6 tokens × hidden 384", terminal, StringComparison.Ordinal);
        Assert.True(terminal.IndexOf("6/6 layers", StringComparison.Ordinal) < terminal.IndexOf("minilm: 6 tokens", StringComparison.Ordinal), "the bars come before the summary");
    }

    [Fact(Timeout = 300_000)]
    public async Task Embed_GalaxyProcessOutputRedirected_NoProgressBars()
    {
        var (exit, output, error) = await GalaxyCli.RunAsync(CliLimit, TestContext.Current.CancellationToken, ["embed", "--model", "minilm", .. Cluster.ConnectionArguments, Texts[0]]);

        Assert.True(exit == 0, $"galaxy embed exited {exit}: {error}");
        Assert.DoesNotContain("layers", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", output, StringComparison.Ordinal);
        Assert.Contains("(384 dims) on 3 devices  A cat sits on the mat.", output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("embed --model nosuch hi", "galaxy embed: Unknown model 'nosuch'")]
    [InlineData("embed --model minilm LONG", "galaxy embed: The text needs 602 tokens but the model takes at most 512")]
    [InlineData("infer --model minilm --ids 101,99999,102", "galaxy infer: Token 1 has id 99999, outside model 'minilm''s vocabulary 0…30521.")]
    [InlineData("infer --model minilm --ids -5", "galaxy infer: Token 0 has id -5, outside model 'minilm''s vocabulary")]
    [InlineData("infer --model minilm --ids MANY", "galaxy infer: 600 tokens do not fit model 'minilm', which takes at most 512.")]
    [InlineData("infer --model minilm --text LONG", "galaxy infer: The text needs 602 tokens but the model takes at most 512")]
    [InlineData("infer --model nosuch --text hi", "galaxy infer: Unknown model 'nosuch'")]
    [InlineData("embed --model minilm BLANK", "galaxy embed: every text must contain something other than whitespace.")]
    [InlineData("infer --model minilm --text BLANK", "galaxy infer: --text must contain something other than whitespace.")]
    public async Task BadInput_LiveCluster_OneLineAndExitTwo(string commandLine, string expected)
    {
        var arguments = commandLine.Split(' ').Select(a => a switch
        {
            "LONG" => string.Join(' ', Enumerable.Repeat("word", 600)),
            "MANY" => string.Join(',', Enumerable.Repeat(1000, 600)),
            "BLANK" => "  ",
            _ => a,
        });

        var (exit, output, error) = await InvokeAsync([.. arguments, .. Cluster.ConnectionArguments], TestContext.Current.CancellationToken);

        Assert.True(exit == 2, $"exit {exit}, stderr: {error}");
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("(Parameter '", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact(Timeout = 300_000)]
    public async Task BadInput_GalaxyProcess_ExitsTwoAndTheClusterServesTheNextRequest()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var refused = await GalaxyCli.RunAsync(CliLimit, cancellation, ["embed", "--model", "nosuch", .. Cluster.ConnectionArguments, "hi"]);
        var served = await GalaxyCli.RunAsync(CliLimit, cancellation, ["infer", "--model", "minilm", "--ids", "101,7592,102", "--json", .. Cluster.ConnectionArguments]);

        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("galaxy embed: Unknown model 'nosuch': device '", refused.Error, StringComparison.Ordinal);
        Assert.Single(refused.Error.Split('\n'));
        Assert.True(served.ExitCode == 0, $"galaxy infer exited {served.ExitCode}: {served.Error}\n{Cluster.Logs}");
        using var json = JsonDocument.Parse(served.Output);
        var hidden = json.RootElement.GetProperty("hidden").EnumerateArray().SelectMany(Floats).ToArray();
        Agreement.AssertClose(SystemModels.Hidden([101, 7592, 102]), hidden, "hidden states of 101,7592,102");
    }

    [Fact(Timeout = 120_000)]
    public async Task ClusterStatus_InProcessCli_ListsEveryDeviceAsActiveAndPlaceableWithItsProfile()
    {
        var (exit, output, error) = await InvokeAsync(["cluster", "status", "--json", .. Cluster.ConnectionArguments], TestContext.Current.CancellationToken);
        var (textExit, text, _) = await InvokeAsync(["cluster", "status", .. Cluster.ConnectionArguments], TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(Cluster.ClusterId, json.RootElement.GetProperty("cluster").GetString());
        Assert.Equal("minilm", json.RootElement.GetProperty("model").GetString());
        var devices = json.RootElement.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(LocalhostClusterFixture.Devices, devices.Select(d => d.GetProperty("device").GetString()));
        Assert.All(devices, d => Assert.Equal("Active", d.GetProperty("status").GetString()));
        Assert.All(devices, d => Assert.True(d.GetProperty("placeable").GetBoolean()));
        Assert.Equal(LocalhostClusterFixture.Devices, json.RootElement.GetProperty("placeable").EnumerateArray().Select(e => e.GetString()));

        // Every device's profile: the budgets configured three ways, one kernel thread, MiniLM's four GEMMs and attention at 32/128/512.
        Assert.Equal([1L << 30, 768L << 20, 640L << 20], devices.Select(d => d.GetProperty("profile").GetProperty("memory_budget_bytes").GetInt64()));
        foreach (var device in devices)
        {
            var profile = device.GetProperty("profile");
            Assert.Equal(1, profile.GetProperty("kernel_threads").GetInt32());
            var minilm = Assert.Single(profile.GetProperty("models").EnumerateArray());
            Assert.Equal("minilm", minilm.GetProperty("model").GetString());
            Assert.Equal(6, minilm.GetProperty("layers").GetInt32());
            var gemms = minilm.GetProperty("gemms").EnumerateArray().ToList();
            Assert.Equal(["qkv", "out", "mlp-up", "mlp-down"], gemms.Select(g => g.GetProperty("block").GetString()));
            Assert.Equal([(384, 1152), (384, 384), (384, 1536), (1536, 384)], gemms.Select(g => (g.GetProperty("k").GetInt32(), g.GetProperty("n").GetInt32())));
            Assert.All(gemms, g => Assert.True(g.GetProperty("gflops").GetDouble() > 0));
            var attention = minilm.GetProperty("attention").EnumerateArray().ToList();
            Assert.Equal([32, 128, 512], attention.Select(a => a.GetProperty("seq").GetInt32()));
            Assert.All(attention, a => Assert.True(a.GetProperty("gflops").GetDouble() > 0));
        }

        Assert.Equal(0, textExit);
        Assert.Contains("coordinator of minilm plans over 3 devices", text, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{fixture.Ports[1]}", text, StringComparison.Ordinal);
        Assert.Contains("profiles at minilm's layer shapes, GFLOP/s", text, StringComparison.Ordinal);
        Assert.Contains("768 MiB", text, StringComparison.Ordinal);
        Assert.Contains("1 of ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task ClusterStatus_MeasureLinks_ListsSixDirectedLinksAndEverySlice()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var client = await GalaxyClient.ConnectAsync(Cluster.Connection, cancellation);
        await using (client)
        {
            // A request first, so every device holds a slice of MiniLM.
            await client.EmbedAsync("minilm", [Texts[0]], cancellation);
        }

        var (exit, output, error) = await InvokeAsync(["cluster", "status", "--measure-links", "--json", .. Cluster.ConnectionArguments], cancellation);
        var (textExit, text, _) = await InvokeAsync(["cluster", "status", .. Cluster.ConnectionArguments], cancellation);

        Assert.True(exit == 0, $"{error}\n{Cluster.Logs}");
        using var json = JsonDocument.Parse(output);
        var links = json.RootElement.GetProperty("links").EnumerateArray().ToList();
        var pairs = links.Select(l => (l.GetProperty("from").GetString()!, l.GetProperty("to").GetString()!)).ToList();
        var expected = LocalhostClusterFixture.Devices.SelectMany(from => LocalhostClusterFixture.Devices.Where(to => to != from).Select(to => (from, to)));
        Assert.Equal(expected, pairs);
        Assert.All(links, l => Assert.True(l.GetProperty("latency_ms").GetDouble() > 0 && l.GetProperty("mb_per_s").GetDouble() > 0, l.ToString()));
        var devices = json.RootElement.GetProperty("devices").EnumerateArray().ToList();
        foreach (var device in devices)
        {
            // A device keeps a few slices of a model (plans change as devices come and go): each lies within MiniLM's 12 heads and 1536 columns.
            var slices = device.GetProperty("slices").EnumerateArray().Where(s => s.GetProperty("model").GetString() == "minilm").ToList();
            Assert.NotEmpty(slices);
            Assert.All(slices, s => Assert.True(
                s.GetProperty("heads")[0].GetInt32() <= s.GetProperty("heads")[1].GetInt32() && s.GetProperty("heads")[1].GetInt32() <= 12
                && s.GetProperty("mlp_columns")[0].GetInt32() < s.GetProperty("mlp_columns")[1].GetInt32() && s.GetProperty("mlp_columns")[1].GetInt32() <= 1536
                && s.GetProperty("bytes").GetInt64() > 0,
                s.ToString()));
        }

        Assert.All(devices, d => Assert.Contains("minilm", d.GetProperty("models").EnumerateArray().Select(m => m.GetString())));
        Assert.Equal(0, textExit);
        Assert.Contains("links, one way", text, StringComparison.Ordinal);
        Assert.Contains("minilm: heads [0,", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Silos_CommandLineFileAndEnvironment_EachConfiguresItsDevice()
    {
        var silos = Cluster.Silos;

        Assert.Contains($"Starting device dev1: cluster {Cluster.ClusterId} (localhost clustering, this silo is the primary); silo 127.0.0.1:{fixture.Ports[0]}", silos["dev1"].Output, StringComparison.Ordinal);
        Assert.Contains("Device dev1: 1 kernel threads", silos["dev1"].Output, StringComparison.Ordinal);
        Assert.Contains("memory budget 1 GiB (configured)", silos["dev1"].Output, StringComparison.Ordinal);
        Assert.Contains($"Starting device dev2: cluster {Cluster.ClusterId} (localhost clustering, primary 127.0.0.1:{fixture.Ports[0]}); silo 127.0.0.1:{fixture.Ports[1]}, gateway 127.0.0.1:{fixture.Ports[4]}", silos["dev2"].Output, StringComparison.Ordinal);
        Assert.Contains("memory budget 768 MiB (configured)", silos["dev2"].Output, StringComparison.Ordinal);
        Assert.Contains($"Starting device dev3: cluster {Cluster.ClusterId} (localhost clustering, primary 127.0.0.1:{fixture.Ports[0]}); silo 127.0.0.1:{fixture.Ports[2]}, gateway 127.0.0.1:{fixture.Ports[5]}", silos["dev3"].Output, StringComparison.Ordinal);
        Assert.Contains("memory budget 640 MiB (configured)", silos["dev3"].Output, StringComparison.Ordinal);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("dev1", "1 GiB")]
    [InlineData("dev2", "768 MiB")]
    [InlineData("dev3", "640 MiB")]
    public async Task Silo_Start_LogsItsMeasuredProfileLine(string device, string budget)
    {
        var silo = Cluster.Silos[device];
        await silo.WaitForOutputAsync($"Device {device}: profile: ", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        var line = silo.Output.Split('\n').Single(l => l.Contains($"Device {device}: profile: ", StringComparison.Ordinal));
        var match = ProfileLine().Match(line);
        Assert.True(match.Success, $"unexpected profile line: {line}");
        Assert.Equal(budget, match.Groups["budget"].Value);
        var rates = match.Groups["rate"].Captures.Select(c => double.Parse(c.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(7, rates.Length);
        Assert.All(rates, rate => Assert.True(rate > 0, $"a measured rate of 0 GFLOP/s in: {line}"));
        var seconds = double.Parse(match.Groups["seconds"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 0.1, 60);
        var up = silo.Output.IndexOf($"Device {device} is up", StringComparison.Ordinal);
        Assert.True(up >= 0 && up < silo.Output.IndexOf(line, StringComparison.Ordinal), "the profile line follows \"is up\"");
    }

    [Fact(Timeout = 300_000)]
    public async Task Silo_Sigterm_ExitsZeroAndTheClusterNotices()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var ports = Galaxy.Silo.FreePorts.Take(2);
        var dev4 = await Cluster.StartSiloAsync("dev4", ports[1], Cluster.SiloArguments("dev4", ports[0], ports[1], fixture.Ports[0]), cancellation);
        await Cluster.WaitForDevicesAsync([.. LocalhostClusterFixture.Devices, "dev4"], TimeSpan.FromSeconds(60), cancellation);

        dev4.Terminate();
        var exit = await dev4.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellation);

        Assert.True(exit == 0, $"dev4 exit code {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none within 60 s"}:\n{dev4.Output}");
        Assert.Contains("Device dev4 stopped", dev4.Output, StringComparison.Ordinal);
        await Cluster.WaitForDevicesAsync(LocalhostClusterFixture.Devices, TimeSpan.FromSeconds(30), cancellation);
        var client = await GalaxyClient.ConnectAsync(Cluster.Connection, cancellation);
        await using (client)
        {
            var status = await client.StatusAsync("minilm", cancellation);
            Assert.DoesNotContain(status.Devices, d => d.Device == "dev4");
            Assert.True(status.DeadSilos >= 1, "the membership table should list dev4 as dead");
        }
    }

    [GeneratedRegex(@"profile: minilm qkv (?<rate>\d+(\.\d)?), out (?<rate>\d+(\.\d)?), mlp-up (?<rate>\d+(\.\d)?), mlp-down (?<rate>\d+(\.\d)?), attention@32 (?<rate>\d+(\.\d)?), @128 (?<rate>\d+(\.\d)?), @512 (?<rate>\d+(\.\d)?) GFLOP/s; 1 kernel thread, budget (?<budget>[\d.]+ [KMG]iB), measured in (?<seconds>\d+\.\d) s$")]
    private static partial Regex ProfileLine();

    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetSingle())];

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(string[] arguments, CancellationToken cancellation)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await GalaxyCommandLine.InvokeAsync(arguments, output, error, cancellation);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Records progress as it is reported, on whichever thread reports it.</summary>
    private sealed class ProgressRecorder : IProgress<Grains.LayerProgress>
    {
        private readonly Lock _lock = new();
        private readonly List<Grains.LayerProgress> _events = [];

        public IReadOnlyList<Grains.LayerProgress> Events
        {
            get
            {
                lock (_lock)
                {
                    return [.. _events];
                }
            }
        }

        public void Report(Grains.LayerProgress value)
        {
            lock (_lock)
            {
                _events.Add(value);
            }
        }
    }
}
