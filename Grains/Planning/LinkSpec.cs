namespace Galaxy.Grains.Planning;

/// <summary>
/// One direction of a link as the cost model sees it: a message of b bytes arrives <c>LatencySeconds + b / BytesPerSecond</c>
/// after it is sent, and keeps the sender's link busy for <c>b / BytesPerSecond</c> (messages in flight overlap their latency).
/// </summary>
/// <param name="BytesPerSecond">Payload bandwidth, &gt; 0.</param>
/// <param name="LatencySeconds">One-way latency α per message, ≥ 0.</param>
public sealed record LinkSpec(double BytesPerSecond, double LatencySeconds)
{
    /// <summary>The link the planner assumes between two devices no measurement or file describes: 1 Gbit/s, 0.5 ms.</summary>
    public static LinkSpec Unmeasured { get; } = new(125e6, 0.5e-3);

    /// <summary>True when the bandwidth is finite and &gt; 0 and the latency finite and ≥ 0.</summary>
    public bool IsValid => double.IsFinite(BytesPerSecond) && BytesPerSecond > 0 && double.IsFinite(LatencySeconds) && LatencySeconds >= 0;

    /// <summary>
    /// The path between two devices on one switch, each with its own <paramref name="from"/> / <paramref name="to"/>
    /// uplink: the narrower bandwidth, the latencies added.
    /// </summary>
    public static LinkSpec Between(LinkSpec from, LinkSpec to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return new LinkSpec(Math.Min(from.BytesPerSecond, to.BytesPerSecond), from.LatencySeconds + to.LatencySeconds);
    }
}
