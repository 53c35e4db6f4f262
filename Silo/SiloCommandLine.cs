using System.CommandLine;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Galaxy.Silo;

/// <summary>
/// <c>galaxy-silo</c>: the command line of one device's silo. Exit codes: 0 after a clean shutdown (SIGTERM,
/// Ctrl-C), 1 when the silo could not start, 2 for unusable settings (one line on stderr saying which and why).
/// </summary>
public static class SiloCommandLine
{
    /// <summary>Exit code for unusable settings.</summary>
    public const int BadSettings = 2;

    /// <summary>Exit code for a silo that could not start (port taken, Redis or the primary unreachable).</summary>
    public const int StartFailed = 1;

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["--device"] = "This device's name; shard grains for it are placed on this silo. Required.",
        ["--cluster"] = $"Cluster id shared by every device and client of one Galaxy (default {SiloSettingsReader.DefaultClusterId}).",
        ["--clustering"] = "How silos find each other: localhost (a primary silo holds membership) or redis (default: redis when --redis is given, else localhost).",
        ["--primary"] = "Localhost clustering: host:port of the primary silo's silo port; omit on the primary itself.",
        ["--redis"] = "Redis clustering: host:port of the Redis server holding the membership table.",
        ["--silo-port"] = $"Silo-to-silo TCP port (default {SiloSettingsReader.DefaultSiloPort}).",
        ["--gateway-port"] = $"Client gateway TCP port (default {SiloSettingsReader.DefaultGatewayPort}).",
        ["--advertise"] = "The IP address other devices and clients use to reach this silo (default 127.0.0.1; required when --primary or --redis is another machine).",
        ["--memory-budget"] = "Memory this device may use, e.g. 512MiB, 4GiB, 4G (default: what the runtime sees as available, cgroup limits included).",
        ["--threads"] = "Compute threads for this device's kernels (default: the processor count).",
        ["--models"] = "This device's model directory; 'minilm' is prepared under it from the bundled package (default ./models).",
        ["--plan-on-all-devices"] = "true: a coordinator on this silo gives every live device a share, even those the planner would leave out as not helping (default false).",
        ["--tile-port"] = "TCP port of this silo's tile sockets on the advertised address (default 0: any free port; peers learn it through the cluster).",
        ["--tile-transport"] = "How this silo's shards send tiles to their peers: sockets (default; raw frames on persistent silo-to-silo connections) or grain-calls (one Orleans call per tile).",
    };

    /// <summary>
    /// The root command. Its options carry no defaults of their own: a value not given stays null, so configuration
    /// and then <see cref="SiloSettingsReader"/>'s defaults apply.
    /// </summary>
    public static RootCommand Create(out IReadOnlyList<Option<string>> options)
    {
        var list = SiloSettingsReader.OptionNames.Select(name => new Option<string>(name) { Description = Descriptions[name] }).ToList();
        options = list;
        var root = new RootCommand(
            "galaxy-silo: runs one Galaxy device as an Orleans silo. Every option can also be set as Galaxy:<Name> in appsettings.json " +
            "(beside the program or in the current directory) or as the environment variable Galaxy__<Name> (e.g. Galaxy__SiloPort); the command line wins.");
        foreach (var option in list)
        {
            root.Options.Add(option);
        }

        return root;
    }

    /// <summary>Parses <paramref name="args"/>, then runs the silo until SIGTERM or Ctrl-C.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = Create(out var options);
        root.SetAction(async (parse, _) =>
        {
            var commandLine = options.ToDictionary(o => o.Name, o => parse.GetValue(o));
            return await RunSiloAsync(commandLine, error).ConfigureAwait(false);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"galaxy-silo: {parsed.Errors[0].Message} (see --help)").ConfigureAwait(false);
            return BadSettings;
        }

        // The host handles SIGTERM and Ctrl-C (a graceful silo shutdown can take seconds); the parser must not cut it short.
        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>Reads the settings (command line over configuration) or says why they cannot be used.</summary>
    /// <exception cref="SiloSettingsException">The settings are unusable.</exception>
    public static SiloSettings ReadSettings(IReadOnlyDictionary<string, string?> commandLine, IConfiguration configuration) =>
        SiloSettingsReader.Read(commandLine, configuration, DetectMemoryBytes, Environment.ProcessorCount);

    /// <summary>The memory this process may use: the runtime's view, which includes cgroup (container) limits.</summary>
    public static long DetectMemoryBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    private static async Task<int> RunSiloAsync(IReadOnlyDictionary<string, string?> commandLine, TextWriter error)
    {
        IConfigurationRoot configuration;
        SiloSettings settings;
        System.Net.IPEndPoint? primary = null;
        try
        {
            configuration = SiloConfiguration.Build(AppContext.BaseDirectory, Environment.CurrentDirectory);
            settings = ReadSettings(commandLine, configuration);
            if (settings.Primary is { } given)
            {
                try
                {
                    primary = await given.ResolveAsync().ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    throw new SiloSettingsException($"--primary {given}: the host name does not resolve ({e.Message}).", e);
                }
            }
        }
        catch (SiloSettingsException e)
        {
            await error.WriteLineAsync($"galaxy-silo: {e.Message}").ConfigureAwait(false);
            return BadSettings;
        }

        using var host = GalaxySiloHost.Build(settings, primary, configuration);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Galaxy.Silo");
        var listen = settings.ListenOnAnyAddress ? "all interfaces" : settings.Advertise.ToString();
        var siloEndpoint = settings.SiloEndpoint.ToString();
        var gatewayEndpoint = settings.GatewayEndpoint.ToString();
        var memory = ByteSize.Format(settings.MemoryBudgetBytes);
        SiloLog.Starting(logger, settings.Device, settings.ClusterId, settings.ClusteringDescription, siloEndpoint, gatewayEndpoint, listen);
        SiloLog.Resources(logger, settings.Device, settings.Threads, Environment.ProcessorCount, memory, settings.MemoryBudgetDetected ? "detected" : "configured", settings.ModelsDirectory);
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM or Ctrl-C while the silo was still joining (e.g. waiting for its primary): a requested stop.
            await error.WriteLineAsync($"galaxy-silo: device {settings.Device} stopped before it had joined the cluster ({settings.ClusteringDescription}).").ConfigureAwait(false);
            return 0;
        }
        catch (Exception e)
        {
            var reason = Innermost(e) is RedisConnectionException redis ? $"the Redis server does not answer ({redis.FailureType})" : Innermost(e).Message;
            await error.WriteLineAsync($"galaxy-silo: device {settings.Device} could not start ({settings.ClusteringDescription}): {reason}").ConfigureAwait(false);
            return StartFailed;
        }

        SiloLog.DeviceUp(logger, settings.Device, settings.SiloPort, settings.GatewayPort, settings.ClusterId);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await SiloStartupReports.LogAllAsync(host.Services, logger, settings.Device, lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while a report was still being made.
        }

        await host.WaitForShutdownAsync().ConfigureAwait(false);
        SiloLog.DeviceStopped(logger, settings.Device);
        return 0;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null && e is AggregateException or TypeInitializationException)
        {
            e = e.InnerException;
        }

        return e;
    }
}
