using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.BroadcastChannel;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// Two Orleans silos in this process, talking over real TCP on loopback (free ports picked at start),
/// localhost clustering with silo A as primary. Started one after the other; ready once both see both
/// as active through <c>IManagementGrain.GetHosts(true)</c> and both membership snapshots name both.
/// </summary>
public sealed class TransportCluster : IAsyncDisposable
{
    public const string SiloA = "device-a";
    public const string SiloB = "device-b";

    private readonly IHost _a;
    private readonly IHost _b;

    private TransportCluster(IHost a, IHost b, TransportLogWitness log)
    {
        _a = a;
        _b = b;
        Log = log;
    }

    /// <summary>Whether the broadcast channel's publisher awaits the subscriber's call (false) or not (true).</summary>
    public bool BroadcastFireAndForget =>
        _a.Services.GetRequiredService<IOptionsMonitor<BroadcastChannelOptions>>().Get(TransportNames.BroadcastChannel).FireAndForgetDelivery;

    /// <summary>Errors both silos logged (they log nowhere else).</summary>
    public TransportLogWitness Log { get; }

    /// <summary>Grain factory of silo A: calls from here to the sender (on A) never cross the network.</summary>
    public IGrainFactory GrainFactory => _a.Services.GetRequiredService<IGrainFactory>();

    public static async Task<TransportCluster> StartAsync(TimeSpan timeout)
    {
        var siloPortA = FreePort();
        var primary = new IPEndPoint(IPAddress.Loopback, siloPortA);
        var clusterId = $"galaxy-transport-{Environment.ProcessId}";
        var witness = new TransportLogWitness();
        var a = Build(SiloA, siloPortA, FreePort(), primary, clusterId, witness);
        await a.StartAsync().ConfigureAwait(false);
        IHost? b = null;
        try
        {
            b = Build(SiloB, FreePort(), FreePort(), primary, clusterId, witness);
            await b.StartAsync().ConfigureAwait(false);
            var cluster = new TransportCluster(a, b, witness);
            await cluster.WaitForMembershipAsync(timeout).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            if (b is not null)
            {
                await StopAsync(b).ConfigureAwait(false);
            }

            await StopAsync(a).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_b).ConfigureAwait(false);
        await StopAsync(_a).ConfigureAwait(false);
    }

    private static IHost Build(string name, int siloPort, int gatewayPort, IPEndPoint primary, string clusterId, TransportLogWitness witness)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddProvider(witness);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, primary, clusterId, clusterId);
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = IPAddress.Loopback);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddMemoryStreams(TransportNames.MemoryStreams);
            silo.AddBroadcastChannel(TransportNames.BroadcastChannel);
            silo.Services.AddPlacementDirector<TransportDevicePlacement, TransportDevicePlacementDirector>();
        });
        return builder.Build();
    }

    private async Task WaitForMembershipAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var management = GrainFactory.GetGrain<IManagementGrain>(0);
        while (true)
        {
            var hosts = await management.GetHosts(onlyActive: true).ConfigureAwait(false);
            if (hosts.Count == 2 && Knows(_a) && Knows(_b))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Silos did not see each other within {timeout.TotalSeconds:0} s ({hosts.Count} active).");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        static bool Knows(IHost host)
        {
            var names = host.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                .Where(member => member.Status == SiloStatus.Active)
                .Select(member => member.Name)
                .ToHashSet();
            return names.Contains(SiloA) && names.Contains(SiloB);
        }
    }

    private static async Task StopAsync(IHost host)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(stop.Token).ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
