using Galaxy.Grains.Tests;
using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Silo;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>
/// Three device silos over TCP loopback with unequal thread budgets (dev1 2 kernel threads, dev2 and dev3 one each),
/// serving a synthetic BERT big enough that compute, not the hops, dominates a request ("wide": 4 layers, hidden 512,
/// 8 heads, MLP 2048). The coordinators choose their devices (the planner's default).
/// </summary>
public sealed class PlannerClusterFixture : IAsyncLifetime
{
    public const string ModelId = "wide";

    public static readonly ModelConfig Config = new()
    {
        Architecture = ModelArchitecture.Bert, HiddenSize = 512, Heads = 8, Layers = 4, IntermediateSize = 2048,
        VocabularySize = 30522, MaxPositions = 512, TypeVocabularySize = 2, LayerNormEpsilon = 1e-12f, Activation = Activation.GeluErf,
    };

    /// <summary>Kernel threads of dev1, dev2, dev3.</summary>
    public static readonly int[] Threads = [2, 1, 1];

    private TestCluster? _cluster;

    public static string ModelsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "planner-models");

    public IClusterClient Client => (_cluster ?? throw new InvalidOperationException("The cluster has not started.")).Client;

    public async ValueTask InitializeAsync()
    {
        var miniLm = MiniLmModel.Prepare(Path.Combine(ClusterFixture.ModelsDirectory, ModelCatalog.MiniLmId)).ModelDirectory;
        Prepare(miniLm);
        _cluster = await DeviceClusters.StartAsync((short)Threads.Length, builder => builder.AddSiloBuilderConfigurator<UnequalThreadsConfigurator>()).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => DeviceClusters.StopAsync(_cluster);

    /// <summary>The synthetic model, written once (config.json last) with MiniLM's vocabulary.</summary>
    private static void Prepare(string miniLmDirectory) =>
        SyntheticModelFiles.WriteOnce(Path.Combine(ModelsDirectory, ModelId), Config, seed: 61, vocabularyFrom: miniLmDirectory);

    /// <summary>Silo instance i becomes dev{i+1} with <see cref="Threads"/>[i] kernel threads, serving <see cref="ModelsDirectory"/>.</summary>
    public sealed class UnequalThreadsConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ArgumentNullException.ThrowIfNull(siloBuilder);
            var name = siloBuilder.Configuration["Orleans:Name"] ?? throw new InvalidOperationException("TestingHost gave the silo no name.");
            var instance = DeviceSiloConfigurator.InstanceOf(name);
            siloBuilder.AddGalaxyDevice($"dev{instance + 1}", ModelsDirectory, Threads[instance % Threads.Length]);
        }
    }
}
