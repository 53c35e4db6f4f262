using Galaxy.Kernels.Parallel;

namespace Galaxy.Grains.Planning;

/// <summary>What the cost model predicts for one device of a plan over a whole request.</summary>
/// <param name="Device">The device name.</param>
/// <param name="Share">Its heads, MLP columns and rows.</param>
/// <param name="ComputeSeconds">Its arithmetic over all layers, embedding and final norm included, slowed by <see cref="Slowdown"/>.</param>
/// <param name="CommunicationSeconds">Link time of its sends (bytes / bandwidth + latency per message) over all layers.</param>
/// <param name="HiddenCommunicationSeconds">The part of <paramref name="CommunicationSeconds"/> that ran while it computed (overlap).</param>
/// <param name="Memory">Its memory need.</param>
/// <param name="MemoryBudgetBytes">Its budget.</param>
public sealed record DevicePrediction(
    string Device,
    DeviceShare Share,
    double ComputeSeconds,
    double CommunicationSeconds,
    double HiddenCommunicationSeconds,
    MemoryEstimate Memory,
    long MemoryBudgetBytes)
{
    /// <summary>CPU time its messages (serialising what it sends, deserialising what it receives) cost it over all layers, contention and quota included.</summary>
    public double MessagingSeconds { get; init; }

    /// <summary>The factor its compute is slowed by because devices of the plan share its host's cores (1: none); <see cref="ComputeSeconds"/> includes it.</summary>
    public double Slowdown { get; init; } = 1;

    /// <summary>True when <see cref="Memory"/> fits the budget.</summary>
    public bool Fits => Memory.Total <= MemoryBudgetBytes;
}
