using System.Text.Json;
using Galaxy.Client;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests;

/// <summary>A cluster of one silo process: its status carries its profile and no links, and links cannot be measured.</summary>
[Collection(ProcessCollectionDefinition.Name)]
public sealed class SingleDeviceClusterTests
{
    [Fact(Timeout = 180_000)]
    public async Task ClusterStatus_OneDevice_ProfileWithoutLinksAndMeasureLinksIsRefused()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _ = SystemModels.MiniLmDirectory;
        await using var cluster = new SiloCluster($"solo-{Guid.NewGuid():N}"[..14], redis: null);
        var ports = Galaxy.Silo.FreePorts.Take(2);
        await cluster.StartSiloAsync("solo", ports[1], cluster.SiloArguments("solo", ports[0], ports[1], primaryPort: null), cancellation);
        await cluster.WaitForDevicesAsync(["solo"], TimeSpan.FromSeconds(60), cancellation);

        var refused = await InvokeAsync(["cluster", "status", "--measure-links", .. cluster.ConnectionArguments], cancellation);
        var status = await InvokeAsync(["cluster", "status", "--json", .. cluster.ConnectionArguments], cancellation);

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("galaxy cluster status: --measure-links needs at least two devices; the cluster has 1 (solo).", refused.Error.TrimEnd());
        Assert.Equal("", refused.Output);
        Assert.True(status.ExitCode == 0, status.Error);
        using var json = JsonDocument.Parse(status.Output);
        var device = Assert.Single(json.RootElement.GetProperty("devices").EnumerateArray());
        Assert.Equal("solo", device.GetProperty("device").GetString());
        Assert.Equal(1L << 30, device.GetProperty("profile").GetProperty("memory_budget_bytes").GetInt64());
        Assert.Empty(json.RootElement.GetProperty("links").EnumerateArray());
    }

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(string[] arguments, CancellationToken cancellation)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await GalaxyCommandLine.InvokeAsync(arguments, output, error, cancellation);
        return (exit, output.ToString(), error.ToString());
    }
}
