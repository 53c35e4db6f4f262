using Galaxy.Kernels.IO;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>Re-planning is bounded: when every allowed run loses a device the caller gets a clear error, and the cluster still serves.</summary>
[Collection(FailoverCollectionDefinition.Name)]
public sealed class FailoverLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private TestCluster? _cluster;
    private int[] _ids = [];

    private TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    private IInferenceGrain Deep => Cluster.Client.GetGrain<IInferenceGrain>(DeepSyntheticModel.Id);

    public async ValueTask InitializeAsync()
    {
        var miniLm = MiniLmModel.Prepare(Path.Combine(ClusterFixture.ModelsDirectory, ModelCatalog.MiniLmId)).ModelDirectory;
        DeepSyntheticModel.Prepare(miniLm);
        _ids = DeepSyntheticModel.TokenIds(384, seed: 11);
        _cluster = await FailoverCluster.StartAsync<SingleAttemptConfigurator>().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync().ConfigureAwait(false);
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
    }

    [Fact]
    public async Task Infer_DeviceKilledDuringTheOnlyAllowedRun_ClearErrorNamingItThenSurvivorsServe()
    {
        var before = await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);
        var outcome = await FailoverCluster.KillDuringRequestAsync(
            Cluster,
            Deep,
            _ids,
            async request =>
            {
                try
                {
                    await request.WaitAsync(Limit, TestContext.Current.CancellationToken);
                    return false;
                }
                catch (InvalidOperationException)
                {
                    return true;
                }
            },
            TestContext.Current.CancellationToken);
        var victim = outcome.Victim;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => outcome.Request);
        Assert.Contains("gave the request up", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{victim} lost", error.Message, StringComparison.Ordinal);

        // The next request plans without the lost device and matches the answer from before the kill.
        var after = await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(victim, after.Devices.Select(d => d.Device));
        var scale = Math.Max(1.0, before.Hidden.ToArray().Max(v => Math.Abs((double)v)));
        var worst = before.Hidden.ToArray().Zip(after.Hidden.ToArray(), (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(worst <= 1e-5 * scale, $"max |Δ| = {worst:E2} between the answers before and after the kill");
    }
}
