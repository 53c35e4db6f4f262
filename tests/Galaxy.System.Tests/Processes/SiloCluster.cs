using System.Text;
using Galaxy.Client;
using Galaxy.Silo;

namespace Galaxy.SystemTests.Processes;

/// <summary>
/// Device silos as real processes (<c>dotnet Galaxy.Silo.dll …</c>), started one after another; ready once the
/// minilm coordinator plans over every device. Disposing kills whatever still runs.
/// </summary>
internal sealed class SiloCluster : IAsyncDisposable
{
    /// <summary>A generous bound for one silo to start on a busy two-core machine.</summary>
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly List<(string Device, int GatewayPort, RunningProcess Process)> _silos = [];

    public SiloCluster(string clusterId, HostPort? redis)
    {
        ClusterId = clusterId;
        Redis = redis;
    }

    public string ClusterId { get; }

    public HostPort? Redis { get; }

    /// <summary>The running silos by device.</summary>
    public IReadOnlyDictionary<string, RunningProcess> Silos => _silos.ToDictionary(s => s.Device, s => s.Process);

    /// <summary>The CLI arguments that reach this cluster (every gateway, or Redis) and its id.</summary>
    public string[] ConnectionArguments => Redis is { } redis
        ? ["--redis", redis.ToString(), "--cluster", ClusterId]
        : [.. _silos.Where(s => !s.Process.HasExited).SelectMany(s => new[] { "--gateway", $"127.0.0.1:{s.GatewayPort}" }), "--cluster", ClusterId];

    /// <summary>The same as a <see cref="GalaxyConnection"/>.</summary>
    public GalaxyConnection Connection => Redis is { } redis
        ? GalaxyConnection.ThroughRedis(ClusterId, redis)
        : GalaxyConnection.ThroughGateways(ClusterId, [.. _silos.Where(s => !s.Process.HasExited).Select(s => new HostPort("127.0.0.1", s.GatewayPort))]);

    /// <summary>Every process's output, for assertion messages.</summary>
    public string Logs
    {
        get
        {
            var text = new StringBuilder();
            foreach (var (device, _, process) in _silos)
            {
                text.Append("----- ").Append(device).Append(process.HasExited ? " (exited)" : "").AppendLine(" -----").Append(process.Output);
            }

            return text.ToString();
        }
    }

    /// <summary>
    /// Starts a silo and waits until it is up. <paramref name="arguments"/> are its command line beyond what is given
    /// through <paramref name="environment"/> or an appsettings.json in <paramref name="workingDirectory"/>.
    /// </summary>
    public async Task<RunningProcess> StartSiloAsync(string device, int gatewayPort, IEnumerable<string> arguments, CancellationToken cancellation,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var process = RunningProcess.StartDotnet(device, GalaxyPrograms.Silo, arguments, environment, workingDirectory);
        _silos.Add((device, gatewayPort, process));
        await process.WaitForOutputAsync($"Device {device} is up", StartLimit, cancellation).ConfigureAwait(false);
        return process;
    }

    /// <summary>The usual command line of a test silo: this cluster, its ports, one kernel thread, the shared models.</summary>
    public string[] SiloArguments(string device, int siloPort, int gatewayPort, int? primaryPort)
    {
        List<string> arguments = ["--device", device, "--cluster", ClusterId, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
            "--threads", "1", "--memory-budget", "1GiB", "--models", SystemModels.ModelsDirectory, "--plan-on-all-devices", "true"];
        if (Redis is { } redis)
        {
            arguments.AddRange(["--clustering", "redis", "--redis", redis.ToString()]);
        }
        else if (primaryPort is { } primary)
        {
            arguments.AddRange(["--primary", $"127.0.0.1:{primary}"]);
        }

        return [.. arguments];
    }

    /// <summary>Waits until the minilm coordinator plans over exactly <paramref name="devices"/>.</summary>
    public async Task WaitForDevicesAsync(IReadOnlyCollection<string> devices, TimeSpan limit, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + limit;
        var seen = "";
        while (true)
        {
            try
            {
                var client = await GalaxyClient.ConnectAsync(Connection, cancellation).ConfigureAwait(false);
                await using (client.ConfigureAwait(false))
                {
                    var status = await client.StatusAsync("minilm", cancellation).ConfigureAwait(false);
                    var active = status.Devices.Where(d => d.Status == "Active").Select(d => d.Device).Order(StringComparer.Ordinal);
                    seen = $"active [{string.Join(", ", active)}], placeable [{string.Join(", ", status.PlaceableDevices)}]";
                    if (status.PlaceableDevices.Order(StringComparer.Ordinal).SequenceEqual(devices.Order(StringComparer.Ordinal))
                        && active.SequenceEqual(devices.Order(StringComparer.Ordinal)))
                    {
                        return;
                    }
                }
            }
            catch (GalaxyConnectionException e)
            {
                seen = e.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The cluster did not settle on [{string.Join(", ", devices)}] within {limit.TotalSeconds:F0} s (last seen: {seen}).\n{Logs}");
            }

            await Task.Delay(250, cancellation).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Stop the non-primary silos first, so no survivor waits on a dead primary.
        foreach (var (_, _, process) in Enumerable.Reverse(_silos))
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }
}
