using System.Text;

namespace Galaxy.Grains;

/// <summary>One peer shard of a request as the socket transport addresses it: its device, its grain key and its silo's tile endpoint.</summary>
internal sealed class TilePeer(string device, string shard, string endpoint)
{
    public string Device { get; } = device;

    public string Shard { get; } = shard;

    /// <summary>The shard key as a frame carries it.</summary>
    public byte[] ShardUtf8 { get; } = Encoding.UTF8.GetBytes(shard);

    /// <summary>"host:port" of the peer silo's <see cref="TileSocketHub"/>.</summary>
    public string Endpoint { get; } = endpoint;
}
