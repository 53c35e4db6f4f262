using System.CommandLine;
using Galaxy.Silo;

namespace Galaxy.Client.Commands;

/// <summary>
/// The options that point a command at a running cluster: <c>--gateway host:port</c> (repeatable) or
/// <c>--redis host:port</c>, and <c>--cluster id</c>. Without either, a command that can runs locally.
/// </summary>
internal sealed class ClusterConnectionOptions
{
    private readonly Option<string[]> _gateway = new("--gateway")
    {
        Description = "host:port of a device silo's gateway (repeatable, or comma-separated): run on that cluster.",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string> _redis = new("--redis") { Description = "host:port of the cluster's Redis server (its membership table): run on that cluster." };

    private readonly Option<string> _cluster = new("--cluster")
    {
        Description = $"The cluster id the silos were started with (default {SiloSettingsReader.DefaultClusterId}).",
        DefaultValueFactory = _ => SiloSettingsReader.DefaultClusterId,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_gateway);
        command.Options.Add(_redis);
        command.Options.Add(_cluster);
    }

    /// <summary>The connection the options describe, or null when neither <c>--gateway</c> nor <c>--redis</c> is given.</summary>
    /// <exception cref="CommandException">A malformed address, both given, or an empty cluster id.</exception>
    public GalaxyConnection? Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var gateways = (parse.GetValue(_gateway) ?? [])
            .SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries))
            .Select(value => HostPort.TryParse(value) ?? throw new CommandException($"--gateway must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got '{value}'."))
            .ToArray();
        var redisText = parse.GetValue(_redis);
        HostPort? redis = redisText is null
            ? null
            : HostPort.TryParse(redisText) ?? throw new CommandException($"--redis must be host:port (a host name, an IPv4 address or [IPv6], and a port 1–65535), got '{redisText}'.");
        if (gateways.Length > 0 && redis is not null)
        {
            throw new CommandException("give either --gateway or --redis, not both.");
        }

        var cluster = parse.GetValue(_cluster);
        if (string.IsNullOrWhiteSpace(cluster))
        {
            throw new CommandException("--cluster must not be empty.");
        }

        if (gateways.Length == 0 && redis is null)
        {
            return null;
        }

        return redis is { } server ? GalaxyConnection.ThroughRedis(cluster, server) : GalaxyConnection.ThroughGateways(cluster, gateways);
    }
}
