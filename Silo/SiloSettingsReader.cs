using Galaxy.Grains;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Galaxy.Silo;

/// <summary>
/// Merges a silo's settings from the command line and from configuration (appsettings.json and environment
/// variables, section <see cref="Section"/>), the command line winning, and checks them. Every setting is
/// <c>--kebab-name</c> on the command line and <c>Galaxy:PascalName</c> in configuration
/// (<c>--silo-port</c> = <c>Galaxy:SiloPort</c> = environment variable <c>Galaxy__SiloPort</c>).
/// </summary>
public static class SiloSettingsReader
{
    /// <summary>The configuration section that holds the silo's settings.</summary>
    public const string Section = "Galaxy";

    /// <summary>The default cluster id.</summary>
    public const string DefaultClusterId = "galaxy";

    /// <summary>The default silo-to-silo port.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>The default client gateway port.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>The smallest memory budget accepted.</summary>
    public const long MinimumMemoryBudget = 64L << 20;

    /// <summary>The most kernel threads accepted.</summary>
    public const int MaximumThreads = 1024;

    /// <summary>Every setting's command-line name, in the order <c>--help</c> lists them.</summary>
    public static readonly IReadOnlyList<string> OptionNames =
    [
        "--device", "--cluster", "--clustering", "--primary", "--redis", "--silo-port", "--gateway-port",
        "--advertise", "--memory-budget", "--threads", "--models", "--plan-on-all-devices", "--tile-port", "--tile-transport",
    ];

    /// <summary>The configuration key of a command-line name: <c>--silo-port</c> → <c>SiloPort</c>.</summary>
    public static string KeyOf(string optionName)
    {
        ArgumentNullException.ThrowIfNull(optionName);
        return string.Concat(optionName.TrimStart('-').Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
    }

    /// <summary>Merges and checks the settings.</summary>
    /// <param name="commandLine">Values given on the command line, by option name (absent or null: not given).</param>
    /// <param name="configuration">appsettings.json and environment variables (see <see cref="SiloConfiguration"/>).</param>
    /// <param name="detectMemoryBytes">The memory available to this process, used when no budget is configured.</param>
    /// <param name="processorCount">The default thread count.</param>
    /// <exception cref="SiloSettingsException">A setting is missing, malformed or contradicts another; the message says which and why.</exception>
    public static SiloSettings Read(IReadOnlyDictionary<string, string?> commandLine, IConfiguration configuration, Func<long> detectMemoryBytes, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(detectMemoryBytes);
        RejectUnknownKeys(commandLine, configuration);
        var values = new Values(commandLine, configuration);

        var device = values.Get("--device");
        if (device.Text is null)
        {
            throw new SiloSettingsException($"No device name: give --device <name> (or {Section}:Device in appsettings.json, or the environment variable {Section}__Device).");
        }

        RequireName(device);
        var cluster = values.Get("--cluster");
        RequireName(cluster);
        var clusterId = cluster.Text ?? DefaultClusterId;

        var primary = ParseHostPort(values.Get("--primary"));
        var redisValue = values.Get("--redis");
        var redis = ParseHostPort(redisValue);
        var clustering = ParseClustering(values.Get("--clustering"), redis is not null);
        if (clustering == ClusteringMode.Redis && redis is null)
        {
            throw new SiloSettingsException("--clustering redis needs --redis host:port (the Redis server that holds the membership table).");
        }

        if (clustering == ClusteringMode.Localhost && redis is not null)
        {
            throw new SiloSettingsException($"{redisValue.Label} is only used with --clustering redis, but clustering is localhost.");
        }

        if (clustering == ClusteringMode.Redis && primary is not null)
        {
            throw new SiloSettingsException("--primary is only used with --clustering localhost; with redis every silo finds the others through Redis.");
        }

        var siloPort = ParsePort(values.Get("--silo-port"), DefaultSiloPort);
        var gatewayPort = ParsePort(values.Get("--gateway-port"), DefaultGatewayPort);
        if (siloPort == gatewayPort)
        {
            throw new SiloSettingsException($"--silo-port and --gateway-port must be two different ports, both are {siloPort}.");
        }

        var remote = clustering == ClusteringMode.Redis ? (redisValue, redis) : (values.Get("--primary"), primary);
        var advertise = ParseAdvertise(values.Get("--advertise"), remote.Item1, remote.Item2);

        var (memory, detected) = ParseMemoryBudget(values.Get("--memory-budget"), detectMemoryBytes);
        var threads = ParseThreads(values.Get("--threads"), processorCount);
        var models = ParseModels(values.Get("--models"));
        var planOnAll = ParseSwitch(values.Get("--plan-on-all-devices"));
        var tilePortValue = values.Get("--tile-port");
        var tilePort = tilePortValue.Text?.Trim() == "0" ? 0 : ParsePort(tilePortValue, 0);
        if (tilePort != 0 && (tilePort == siloPort || tilePort == gatewayPort))
        {
            throw new SiloSettingsException($"{tilePortValue.Label} {tilePort} is also the silo or gateway port; give another port, or 0 for any free one.");
        }

        var tileTransport = ParseTileTransport(values.Get("--tile-transport"));

        return new SiloSettings(device.Text, clusterId, clustering, primary, redis, siloPort, gatewayPort, advertise, memory, detected, threads, models, planOnAll)
        {
            TilePort = tilePort,
            TileTransport = tileTransport,
        };
    }

    private static void RejectUnknownKeys(IReadOnlyDictionary<string, string?> commandLine, IConfiguration configuration)
    {
        var known = OptionNames.Select(KeyOf).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknownOption = commandLine.Keys.FirstOrDefault(name => !OptionNames.Contains(name));
        if (unknownOption is not null)
        {
            throw new ArgumentException($"'{unknownOption}' is not a silo option.", nameof(commandLine));
        }

        var unknown = configuration.GetSection(Section).GetChildren().Select(child => child.Key).Where(key => !known.Contains(key)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new SiloSettingsException(
                $"Unknown setting {string.Join(", ", unknown.Select(key => $"{Section}:{key}"))} in appsettings.json or the environment; the known ones are {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }
    }

    private static void RequireName(Value value)
    {
        if (value.Text is not null && (value.Text.Length is 0 or > 100 || !value.Text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new SiloSettingsException($"{value.Label} must be 1–100 letters, digits, '.', '_' or '-', got '{value.Text}'.");
        }
    }

    private static ClusteringMode ParseClustering(Value value, bool redisGiven)
    {
        if (value.Text is null)
        {
            return redisGiven ? ClusteringMode.Redis : ClusteringMode.Localhost;
        }

        return value.Text.Trim().ToLowerInvariant() switch
        {
            "localhost" => ClusteringMode.Localhost,
            "redis" => ClusteringMode.Redis,
            _ => throw new SiloSettingsException($"{value.Label} must be 'localhost' or 'redis', got '{value.Text}'."),
        };
    }

    private static HostPort? ParseHostPort(Value value)
    {
        if (value.Text is null)
        {
            return null;
        }

        return HostPort.TryParse(value.Text)
            ?? throw new SiloSettingsException($"{value.Label} must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got '{value.Text}'.");
    }

    private static int ParsePort(Value value, int fallback)
    {
        if (value.Text is null)
        {
            return fallback;
        }

        return int.TryParse(value.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new SiloSettingsException($"{value.Label} must be a port number 1–65535, got '{value.Text}'.");
    }

    private static IPAddress ParseAdvertise(Value value, Value remoteValue, HostPort? remote)
    {
        if (value.Text is null)
        {
            if (remote is { IsLoopback: false })
            {
                throw new SiloSettingsException(
                    $"--advertise <ip> is needed when the cluster is reached over the network ({remoteValue.Label} {remote}): give this machine's address that the other devices reach.");
            }

            return IPAddress.Loopback;
        }

        if (!IPAddress.TryParse(value.Text.Trim(), out var address)
            || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new SiloSettingsException($"{value.Label} must be this machine's IP address that the other devices reach (not a name, not 0.0.0.0), got '{value.Text}'.");
        }

        if (IPAddress.IsLoopback(address) && remote is { IsLoopback: false })
        {
            throw new SiloSettingsException(
                $"{value.Label} {address} is a loopback address, but the cluster is reached over the network ({remoteValue.Label} {remote}): the other devices could not reach this silo.");
        }

        return address;
    }

    private static (long Bytes, bool Detected) ParseMemoryBudget(Value value, Func<long> detect)
    {
        if (value.Text is null)
        {
            var detected = detect();
            if (detected < MinimumMemoryBudget)
            {
                throw new SiloSettingsException(
                    $"This process may use only {ByteSize.Format(detected)} of memory (detected), less than the {ByteSize.Format(MinimumMemoryBudget)} a device needs; give --memory-budget if the detection is wrong.");
            }

            return (detected, true);
        }

        if (!ByteSize.TryParse(value.Text, out var bytes))
        {
            throw new SiloSettingsException($"{value.Label} must be a size such as 512MiB, 4GiB or 4G, got '{value.Text}'.");
        }

        if (bytes < MinimumMemoryBudget)
        {
            throw new SiloSettingsException($"{value.Label} must be at least {ByteSize.Format(MinimumMemoryBudget)}, got '{value.Text}'.");
        }

        return (bytes, false);
    }

    private static int ParseThreads(Value value, int processorCount)
    {
        if (value.Text is null)
        {
            return Math.Clamp(processorCount, 1, MaximumThreads);
        }

        return int.TryParse(value.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads is >= 1 and <= MaximumThreads
            ? threads
            : throw new SiloSettingsException($"{value.Label} must be a whole number 1–{MaximumThreads}, got '{value.Text}'.");
    }

    private static TileTransport ParseTileTransport(Value value) => value.Text?.Trim().ToLowerInvariant() switch
    {
        null or "sockets" => TileTransport.Sockets,
        "grain-calls" => TileTransport.GrainCalls,
        _ => throw new SiloSettingsException($"{value.Label} must be sockets or grain-calls, got '{value.Text}'."),
    };

    private static bool ParseSwitch(Value value)
    {
        if (value.Text is null)
        {
            return false;
        }

        return bool.TryParse(value.Text.Trim(), out var on)
            ? on
            : throw new SiloSettingsException($"{value.Label} must be true or false, got '{value.Text}'.");
    }

    private static string ParseModels(Value value)
    {
        var text = value.Text ?? "models";
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new SiloSettingsException($"{value.Label} must name a directory.");
        }

        string path;
        try
        {
            path = Path.GetFullPath(text);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SiloSettingsException($"{value.Label} '{text}' is not a usable path: {e.Message}", e);
        }

        if (File.Exists(path))
        {
            throw new SiloSettingsException($"{value.Label} '{text}' is a file; it must name a directory.");
        }

        return path;
    }

    /// <summary>One setting's text (null when not given) and how to name it in a message.</summary>
    private readonly record struct Value(string? Text, string Label);

    private sealed class Values(IReadOnlyDictionary<string, string?> commandLine, IConfiguration configuration)
    {
        public Value Get(string optionName)
        {
            if (commandLine.TryGetValue(optionName, out var given) && given is not null)
            {
                return new Value(given, optionName);
            }

            var key = $"{Section}:{KeyOf(optionName)}";
            var configured = configuration[key];
            return configured is null ? new Value(null, optionName) : new Value(configured, key);
        }
    }
}
