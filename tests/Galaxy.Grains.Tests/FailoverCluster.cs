using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>
/// A three-device TCP cluster of its own for a test that stops or kills silos. The client talks to the primary's
/// gateway only, so a killed secondary never carries the client's call.
/// </summary>
internal static class FailoverCluster
{
    /// <summary>Starts the cluster with <typeparamref name="TSettings"/> applied to every silo after the device setup.</summary>
    public static async Task<TestCluster> StartAsync<TSettings>()
        where TSettings : ISiloConfigurator, new()
    {
        return await DeviceClusters.StartAsync(3, builder =>
        {
            builder.Options.GatewayPerSilo = false;
            builder.AddSiloBuilderConfigurator<DeviceSiloConfigurator>();
            builder.AddSiloBuilderConfigurator<TSettings>();
        }).ConfigureAwait(false);
    }

    /// <summary>A secondary silo that does not host <paramref name="coordinator"/>'s activation, and its device.</summary>
    public static async Task<(SiloHandle Handle, string Device)> VictimAsync(TestCluster cluster, IInferenceGrain coordinator)
    {
        var status = await coordinator.GetStatusAsync().ConfigureAwait(false);
        var handle = cluster.SecondarySilos.First(silo => silo.SiloAddress.ToString() != status.Coordinator);
        return (handle, status.Devices.Single(d => d.Silo == handle.SiloAddress.ToString()).Device);
    }
}
