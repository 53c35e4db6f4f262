using System.Text.Json;
using Galaxy.SystemTests.Processes;

namespace Galaxy.SystemTests;

/// <summary>
/// Three device silo processes with localhost clustering on free ports, each configured a different way: dev1 on
/// the command line (the primary), dev2 from appsettings.json in its working directory, dev3 from Galaxy__*
/// environment variables. Ready once the minilm coordinator plans over all three.
/// </summary>
public sealed class LocalhostClusterFixture : IAsyncLifetime
{
    /// <summary>The devices, in start order.</summary>
    public static readonly string[] Devices = ["dev1", "dev2", "dev3"];

    private readonly string _dev2Directory = Directory.CreateTempSubdirectory("galaxy-dev2-").FullName;
    private SiloCluster? _cluster;

    internal SiloCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>Silo ports of dev1…dev3, then gateway ports of dev1…dev3.</summary>
    internal int[] Ports { get; } = Galaxy.Silo.FreePorts.Take(6);

    public async ValueTask InitializeAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _ = SystemModels.MiniLmDirectory;
        var cluster = new SiloCluster($"local-{Guid.NewGuid():N}"[..14], redis: null);
        _cluster = cluster;
        try
        {
            await cluster.StartSiloAsync("dev1", Ports[3], cluster.SiloArguments("dev1", Ports[0], Ports[3], primaryPort: null), cancellation);

            var file = new Dictionary<string, object>
            {
                ["Galaxy"] = new Dictionary<string, object>
                {
                    ["Device"] = "dev2", ["Cluster"] = cluster.ClusterId, ["SiloPort"] = Ports[1], ["GatewayPort"] = Ports[4],
                    ["Primary"] = $"127.0.0.1:{Ports[0]}", ["Threads"] = 1, ["MemoryBudget"] = "768MiB", ["Models"] = SystemModels.ModelsDirectory,
                    ["PlanOnAllDevices"] = true,
                },
            };
            await File.WriteAllTextAsync(Path.Combine(_dev2Directory, "appsettings.json"), JsonSerializer.Serialize(file), cancellation);
            await cluster.StartSiloAsync("dev2", Ports[4], [], cancellation, workingDirectory: _dev2Directory);

            var environment = new Dictionary<string, string>
            {
                ["Galaxy__Device"] = "dev3", ["Galaxy__Cluster"] = cluster.ClusterId, ["Galaxy__SiloPort"] = $"{Ports[2]}",
                ["Galaxy__GatewayPort"] = $"{Ports[5]}", ["Galaxy__Primary"] = $"127.0.0.1:{Ports[0]}", ["Galaxy__Threads"] = "1",
                ["Galaxy__MemoryBudget"] = "640MiB", ["Galaxy__Models"] = SystemModels.ModelsDirectory, ["Galaxy__PlanOnAllDevices"] = "true",
            };
            await cluster.StartSiloAsync("dev3", Ports[5], [], cancellation, environment: environment);

            await cluster.WaitForDevicesAsync(Devices, TimeSpan.FromSeconds(60), cancellation);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }

        if (Directory.Exists(_dev2Directory))
        {
            Directory.Delete(_dev2Directory, recursive: true);
        }
    }
}
