using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>Waits for silo metadata, which reaches each silo's cache asynchronously after membership changes (DESIGN.md §6).</summary>
internal static class DeviceMetadata
{
    /// <summary>Returns once every active silo's metadata cache knows every active silo's device.</summary>
    public static async Task WaitAsync(TestCluster cluster, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var silos = cluster.GetActiveSilos().Cast<InProcessSiloHandle>().ToArray();
            var everyoneKnowsEveryone = silos.All(observer =>
            {
                var cache = observer.ServiceProvider.GetRequiredService<ISiloMetadataCache>();
                return silos.All(silo => cache.GetSiloMetadata(silo.SiloAddress).Metadata.ContainsKey(DeviceKeys.MetadataKey));
            });
            if (everyoneKnowsEveryone)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The silos' metadata caches did not learn every device within {limit.TotalSeconds} s.");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Returns once <paramref name="grain"/>'s silo lists exactly <paramref name="devices"/>.</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="limit"/>; the message gives every silo's view of membership.</exception>
    public static Task WaitForDevicesAsync(TestCluster cluster, IInferenceGrain grain, IReadOnlyList<string> devices, TimeSpan limit) =>
        WaitForDevicesAsync(cluster, grain, now => now.SequenceEqual(devices), $"[{string.Join(", ", devices)}]", limit);

    /// <summary>Returns once the devices <paramref name="grain"/>'s silo lists satisfy <paramref name="wanted"/> (<paramref name="what"/> names it).</summary>
    /// <exception cref="TimeoutException">They did not within <paramref name="limit"/>; the message gives every silo's view of membership.</exception>
    public static async Task WaitForDevicesAsync(TestCluster cluster, IInferenceGrain grain, Func<IReadOnlyList<string>, bool> wanted, string what, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var now = await grain.GetDevicesAsync().ConfigureAwait(false);
            if (wanted(now))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"The coordinator lists [{string.Join(", ", now)}], not {what}, after {limit.TotalSeconds} s. Membership as each silo sees it: {MembershipViews(cluster)}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Each running silo's membership version and members ("Primary at v12: dev1 Active, dev3 Dead, …").</summary>
    private static string MembershipViews(TestCluster cluster) => string.Join("; ", cluster.GetActiveSilos().Cast<InProcessSiloHandle>().Select(silo =>
    {
        var snapshot = silo.ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
        var members = snapshot.Members.Values.OrderBy(member => member.Name, StringComparer.Ordinal).Select(member => $"{member.Name} {member.Status}");
        return $"{silo.Name} at v{snapshot.Version}: {string.Join(", ", members)}";
    }));
}
