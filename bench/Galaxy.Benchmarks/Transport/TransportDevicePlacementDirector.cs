using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// Picks the compatible silo whose <c>SiloOptions.SiloName</c> equals the grain key's prefix, read from
/// the membership snapshot; fails loudly rather than place a benchmark grain on the wrong silo.
/// </summary>
public sealed class TransportDevicePlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var wanted = TransportNames.SiloOf(target.GrainIdentity.Key.ToString() ?? "");
        var snapshot = membership.CurrentSnapshot;
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (snapshot.Members.TryGetValue(silo, out var member) && member.Name == wanted)
            {
                return Task.FromResult(silo);
            }
        }

        throw new OrleansException($"No active silo named '{wanted}' for {target.GrainIdentity}.");
    }
}
