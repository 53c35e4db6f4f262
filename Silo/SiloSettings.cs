using Galaxy.Grains;
using System.Net;

namespace Galaxy.Silo;

/// <summary>
/// The checked settings of one device's silo, merged from the command line, the environment and appsettings.json
/// by <see cref="SiloSettingsReader"/>.
/// </summary>
/// <param name="Device">The device name (silo name and <c>galaxy.device</c> metadata).</param>
/// <param name="ClusterId">Orleans cluster and service id shared by every silo and client of one Galaxy.</param>
/// <param name="Clustering">How silos find each other.</param>
/// <param name="Primary">Localhost clustering: the primary silo's endpoint, or null when this silo is the primary.</param>
/// <param name="Redis">Redis clustering: the Redis server.</param>
/// <param name="SiloPort">Silo-to-silo TCP port.</param>
/// <param name="GatewayPort">Client gateway TCP port.</param>
/// <param name="Advertise">The address other silos and clients use to reach this one.</param>
/// <param name="MemoryBudgetBytes">Memory this device may use for weights and activations.</param>
/// <param name="MemoryBudgetDetected">True when <paramref name="MemoryBudgetBytes"/> was detected rather than configured.</param>
/// <param name="Threads">Compute threads for the device's kernels.</param>
/// <param name="ModelsDirectory">The device's model directory, as a full path.</param>
/// <param name="PlanOnAllDevices">A coordinator on this silo gives every live device a share instead of leaving out the devices its planner finds would not help (tests, demonstrations).</param>
public sealed record SiloSettings(
    string Device,
    string ClusterId,
    ClusteringMode Clustering,
    HostPort? Primary,
    HostPort? Redis,
    int SiloPort,
    int GatewayPort,
    IPAddress Advertise,
    long MemoryBudgetBytes,
    bool MemoryBudgetDetected,
    int Threads,
    string ModelsDirectory,
    bool PlanOnAllDevices = false)
{
    /// <summary>Listen on every interface when the advertised address is not loopback (containers, NAT), else on loopback only.</summary>
    /// <summary>The port of the silo's tile sockets on the advertised address (0 = any free port; peers learn it from the silo).</summary>
    public int TilePort { get; init; }

    /// <summary>How this silo's shards send tiles: over the tile sockets (default) or as one grain call each.</summary>
    public TileTransport TileTransport { get; init; } = TileTransport.Sockets;

    public bool ListenOnAnyAddress => !IPAddress.IsLoopback(Advertise);

    /// <summary>This silo's advertised silo-to-silo endpoint.</summary>
    public IPEndPoint SiloEndpoint => new(Advertise, SiloPort);

    /// <summary>This silo's advertised gateway endpoint.</summary>
    public IPEndPoint GatewayEndpoint => new(Advertise, GatewayPort);

    /// <summary>A one-line description of how this silo joins its cluster.</summary>
    public string ClusteringDescription => Clustering switch
    {
        ClusteringMode.Redis => $"redis clustering via {Redis}",
        _ when Primary is null => "localhost clustering, this silo is the primary",
        _ => $"localhost clustering, primary {Primary}",
    };
}
