using System.Net;
using System.Net.Sockets;
using Galaxy.Grains;
using Galaxy.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Galaxy.Benchmarks.Cluster;

/// <summary>
/// Device silos <c>dev1…devN</c> in this process over TCP loopback, started the way <c>galaxy demo</c> starts them
/// (<see cref="GalaxySiloBuilderExtensions.AddGalaxyDevice"/>, one after another, dev1 the primary), each with the
/// same kernel thread budget. Disposing stops every silo.
/// </summary>
public sealed class EmbeddedDeviceCluster : IAsyncDisposable
{
    private readonly List<IHost> _hosts;

    private EmbeddedDeviceCluster(List<IHost> hosts) => _hosts = hosts;

    /// <summary>The grain factory of the first silo (where the benchmark's requests start).</summary>
    public IGrainFactory Grains => _hosts[0].Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Makes every silo's shards send tiles over <paramref name="transport"/> from the next request on (the benchmark
    /// switches between rounds; a deployment sets <see cref="GalaxyDeviceOptions.TileTransport"/> once per silo).
    /// </summary>
    public void UseTileTransport(TileTransport transport)
    {
        foreach (var host in _hosts)
        {
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GalaxyDeviceOptions>>().Value.TileTransport = transport;
        }
    }

    public static async Task<EmbeddedDeviceCluster> StartAsync(int devices, int threadsPerDevice, string modelsDirectory, CancellationToken cancellationToken)
    {
        var hosts = new List<IHost>();
        var cluster = new EmbeddedDeviceCluster(hosts);
        try
        {
            var siloPorts = Galaxy.Silo.FreePorts.Take(devices);
            var gatewayPorts = Galaxy.Silo.FreePorts.Take(devices);
            var primary = new IPEndPoint(IPAddress.Loopback, siloPorts[0]);
            for (var i = 0; i < devices; i++)
            {
                var builder = Host.CreateApplicationBuilder();
                builder.Logging.SetMinimumLevel(LogLevel.Error);
                var device = $"dev{i + 1}";
                var (siloPort, gatewayPort) = (siloPorts[i], gatewayPorts[i]);
                builder.UseOrleans(silo =>
                {
                    silo.UseLocalhostClustering(siloPort, gatewayPort, primary, "galaxy-cluster-bench", "galaxy-cluster-bench");
                    silo.AddGalaxyDevice(device, modelsDirectory, threadsPerDevice);

                    // The benchmark measures the cluster's cost on every device, whichever subset the planner would choose.
                    silo.Services.Configure<GalaxyDeviceOptions>(o => o.PlanOnAllDevices = true);
                });
                var host = builder.Build();
                hosts.Add(host);
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }

            await WaitForDevicesAsync(hosts, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A silo that does not stop in time is disposed anyway; the process is about to end.
            }

            host.Dispose();
        }

        _hosts.Clear();
    }

    /// <summary>Waits until every silo's metadata cache knows every silo's device (placement reads it).</summary>
    private static async Task WaitForDevicesAsync(List<IHost> hosts, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!hosts.All(h => h.Services.GetRequiredService<DeviceDirectory>().ActiveDevices().Count == hosts.Count))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The {hosts.Count} silos did not all see each other's devices within {limit.TotalSeconds} s.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

}
