using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>Starts and stops the tests' TestingHost clusters of device silos.</summary>
internal static class DeviceClusters
{
    /// <summary>
    /// Builds <paramref name="silos"/> silos over real TCP sockets on loopback with the Galaxy client, lets
    /// <paramref name="configure"/> add the silo configurators, deploys them one after another and returns once every
    /// silo's metadata cache knows every silo's device (placement never races the metadata exchange, DESIGN.md §6).
    /// </summary>
    public static async Task<TestCluster> StartAsync(short silos, Action<TestClusterBuilder> configure)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.AddClientBuilderConfigurator<GalaxyClientConfigurator>();
        configure(builder);
        var cluster = builder.Build();
        await cluster.DeployAsync().ConfigureAwait(false);
        await DeviceMetadata.WaitAsync(cluster, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>Stops every silo and disposes <paramref name="cluster"/> (nothing when it never started).</summary>
    public static async ValueTask StopAsync(TestCluster? cluster)
    {
        if (cluster is not null)
        {
            await cluster.StopAllSilosAsync().ConfigureAwait(false);
            await cluster.DisposeAsync().ConfigureAwait(false);
        }
    }
}
