using Galaxy.Grains;
using Galaxy.Kernels.IO;
using Galaxy.Silo;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>
/// A TestingHost cluster of three device silos (dev1, dev2, dev3) over real TCP sockets on loopback, each serving
/// MiniLM from a shared models directory beside the test binaries. Ready once every silo's metadata cache knows
/// every silo's device, so placement never races the metadata exchange (DESIGN.md §6).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The devices, in the order the silos start.</summary>
    public static readonly string[] Devices = ["dev1", "dev2", "dev3"];

    /// <summary>Every silo's models directory (they share one MiniLM conversion).</summary>
    public static string ModelsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "grain-models");

    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public IClusterClient Client => Cluster.Client;

    /// <summary>The converted MiniLM directory the silos load (the single-device reference loads the same files).</summary>
    public string MiniLmDirectory { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        // Prepare once before the silos start, so no request pays for the conversion.
        MiniLmDirectory = MiniLmModel.Prepare(Path.Combine(ModelsDirectory, ModelCatalog.MiniLmId)).ModelDirectory;
        _cluster = await DeviceClusters.StartAsync((short)Devices.Length, builder => builder.AddSiloBuilderConfigurator<DeviceSiloConfigurator>()).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => DeviceClusters.StopAsync(_cluster);
}
