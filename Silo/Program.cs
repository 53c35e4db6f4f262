using System.CommandLine;
using System.Net;
using Galaxy.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var device = new Option<string>("--device") { Description = "This device's name; shard grains for it are placed on this silo.", Required = true };
var cluster = new Option<string>("--cluster") { Description = "Cluster id shared by every device of one Galaxy.", DefaultValueFactory = _ => "galaxy" };
var siloPort = new Option<int>("--silo-port") { Description = "Silo-to-silo TCP port.", DefaultValueFactory = _ => 11111 };
var gatewayPort = new Option<int>("--gateway-port") { Description = "Client gateway TCP port.", DefaultValueFactory = _ => 30000 };
var primary = new Option<string?>("--primary") { Description = "host:port of the primary silo (localhost clustering); omit on the primary itself." };
var models = new Option<string>("--models") { Description = "This device's model directory (\"minilm\" is prepared under it from the bundled package).", DefaultValueFactory = _ => "models" };
var threads = new Option<int>("--threads") { Description = "Compute threads for this device's kernels.", DefaultValueFactory = _ => 1 };

var root = new RootCommand("galaxy-silo: runs one Galaxy device as an Orleans silo.") { device, cluster, siloPort, gatewayPort, primary, models, threads };
root.SetAction(async (parse, cancellation) =>
{
    var options = new SiloSettings(
        parse.GetRequiredValue(device),
        parse.GetRequiredValue(cluster),
        parse.GetValue(siloPort),
        parse.GetValue(gatewayPort),
        parse.GetValue(primary),
        parse.GetRequiredValue(models),
        parse.GetValue(threads));
    var validation = options.Validate();
    if (validation is not null)
    {
        await Console.Error.WriteLineAsync($"galaxy-silo: {validation}").ConfigureAwait(false);
        return 2;
    }

    var builder = Host.CreateApplicationBuilder();
    builder.UseOrleans(silo =>
    {
        var primaryEndpoint = options.PrimaryEndpoint ?? new IPEndPoint(IPAddress.Loopback, options.SiloPort);
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primaryEndpoint, options.ClusterId, options.ClusterId);
        silo.AddGalaxyDevice(options.Device, options.ModelsDirectory, options.Threads);
    });
    using var host = builder.Build();
    await host.StartAsync(cancellation).ConfigureAwait(false);
    var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Galaxy.Silo");
    SiloLog.DeviceUp(logger, options.Device, options.SiloPort, options.GatewayPort, options.ClusterId);
    await host.WaitForShutdownAsync(cancellation).ConfigureAwait(false);
    return 0;
});

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
