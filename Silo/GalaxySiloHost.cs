using System.Net;
using Galaxy.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Galaxy.Silo;

/// <summary>Builds the host of one device's silo from its <see cref="SiloSettings"/>.</summary>
public static class GalaxySiloHost
{
    // Orleans logs every membership and placement step at Information (and Polly every placement attempt); a device's console keeps to warnings from it.
    private static readonly Dictionary<string, string?> LoggingDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    /// <summary>
    /// The host: an Orleans silo that joins its cluster the way <paramref name="settings"/> say, advertises
    /// <see cref="SiloSettings.Advertise"/>, and serves as device <see cref="SiloSettings.Device"/>.
    /// </summary>
    /// <param name="settings">The checked settings.</param>
    /// <param name="primary">Localhost clustering: the primary silo's resolved endpoint (null when this silo is the primary).</param>
    /// <param name="configuration">appsettings.json and the environment; its <c>Logging</c> section configures the logs.</param>
    public static IHost Build(SiloSettings settings, IPEndPoint? primary, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.UseOrleans(silo =>
        {
            if (settings.Clustering == ClusteringMode.Redis)
            {
                silo.UseRedisClustering(settings.Redis!.Value.ToString());
            }
            else
            {
                silo.UseDevelopmentClustering(primary ?? settings.SiloEndpoint);
            }

            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ClusterId;
            });
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = settings.Advertise;
                o.SiloPort = settings.SiloPort;
                o.GatewayPort = settings.GatewayPort;
                if (settings.ListenOnAnyAddress)
                {
                    o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, settings.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, settings.GatewayPort);
                }
            });
            silo.AddGalaxyDevice(settings.Device, settings.ModelsDirectory, settings.Threads, settings.MemoryBudgetBytes);
            silo.Services.Configure<GalaxyDeviceOptions>(o =>
            {
                o.PlanOnAllDevices = settings.PlanOnAllDevices;
                o.TilePort = settings.TilePort;
                o.TileTransport = settings.TileTransport;
            });
        });
        return builder.Build();
    }
}
