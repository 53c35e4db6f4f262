using Galaxy.Silo;

namespace Galaxy.Client;

/// <summary>
/// How to reach a Galaxy cluster: a static list of silo gateways, or the Redis server that holds the cluster's
/// membership (the client then learns the gateways from it). Exactly one of the two.
/// </summary>
/// <param name="Gateways">host:port of silo gateways (<c>--gateway-port</c> of the silos); empty with <paramref name="Redis"/>.</param>
/// <param name="Redis">host:port of the cluster's Redis server, or null with <paramref name="Gateways"/>.</param>
/// <param name="ClusterId">The cluster id the silos were started with.</param>
public sealed record GalaxyConnection(IReadOnlyList<HostPort> Gateways, HostPort? Redis, string ClusterId = SiloSettingsReader.DefaultClusterId)
{
    /// <summary>How long one request may take before the client gives up waiting (the first request on a model loads its weights).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long connecting may take (Redis lookup and Orleans handshake included) before the client gives up. A gateway
    /// that accepts the socket but never completes the handshake is usually a silo of another cluster id.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A connection through the given gateways.</summary>
    public static GalaxyConnection ThroughGateways(string clusterId, params HostPort[] gateways) => new(gateways, null, clusterId);

    /// <summary>A connection through the cluster's Redis membership table.</summary>
    public static GalaxyConnection ThroughRedis(string clusterId, HostPort redis) => new([], redis, clusterId);

    /// <summary>"gateway a:1, b:2" or "redis host:port", plus the cluster id.</summary>
    public override string ToString() =>
        Redis is { } redis ? $"cluster '{ClusterId}' via redis {redis}" : $"cluster '{ClusterId}' via gateway {string.Join(", ", Gateways)}";

    /// <summary>Throws unless exactly one way to reach the cluster is given and the cluster id is usable.</summary>
    /// <exception cref="ArgumentException">No way or both ways given, or an empty cluster id.</exception>
    public void Validate()
    {
        if (Gateways is null || (Gateways.Count == 0) == (Redis is null))
        {
            throw new ArgumentException("Give either gateways or a Redis server to reach the cluster, not both and not neither.");
        }

        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException("The cluster id must not be empty.");
        }

        if (ResponseTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("The timeouts must be positive.");
        }
    }
}
