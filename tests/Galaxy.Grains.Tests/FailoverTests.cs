using Galaxy.Kernels.IO;
using Galaxy.Kernels.Model;
using Galaxy.Kernels.Threading;
using Orleans.TestingHost;

namespace Galaxy.Grains.Tests;

/// <summary>
/// Devices that leave or die, before or during a request (DESIGN.md §9): the coordinator re-plans on the survivors
/// and the caller gets the single-device answer. Each test has its own three-device cluster (the client talks to the
/// primary's gateway only, so a killed silo never carries the client's call) and kills a secondary silo that does
/// not host the coordinator.
/// </summary>
[Collection(FailoverCollectionDefinition.Name)]
public sealed class FailoverTests : IAsyncLifetime
{
    private const double Tolerance = 1e-5;
    private const int Sequence = 384;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private TestCluster? _cluster;
    private float[] _expected = [];
    private int[] _ids = [];

    private TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    private IInferenceGrain Deep => Cluster.Client.GetGrain<IInferenceGrain>(DeepSyntheticModel.Id);

    public async ValueTask InitializeAsync()
    {
        var miniLm = MiniLmModel.Prepare(Path.Combine(ClusterFixture.ModelsDirectory, ModelCatalog.MiniLmId)).ModelDirectory;
        var directory = DeepSyntheticModel.Prepare(miniLm);
        _ids = DeepSyntheticModel.TokenIds(Sequence, seed: 7);
        _expected = Reference(directory, _ids);

        _cluster = await FailoverCluster.StartAsync<ShortProfileConfigurator>().ConfigureAwait(false);
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
    public async Task Infer_AfterGracefulStop_SurvivorsAnswerThenAJoinedDeviceIsUsed()
    {
        var first = await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);
        AssertClose(first, "three devices");
        Assert.Equal(["dev1", "dev2", "dev3"], first.Devices.Select(d => d.Device));

        var victim = await VictimAsync();
        await Cluster.StopSiloAsync(victim.Handle, TestContext.Current.CancellationToken);
        var afterStop = await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);

        AssertClose(afterStop, "after a graceful stop");
        Assert.DoesNotContain(victim.Device, afterStop.Devices.Select(d => d.Device));
        Assert.Equal(2, afterStop.Devices.Count);

        // A device that joins is in the next plan.
        await Cluster.StartAdditionalSiloAsync();
        await DeviceMetadata.WaitAsync(Cluster, TimeSpan.FromSeconds(30));
        await DeviceMetadata.WaitForDevicesAsync(Cluster, Deep, [.. new[] { "dev1", "dev2", "dev3", "dev4" }.Where(d => d != victim.Device)], TimeSpan.FromSeconds(30));
        var afterJoin = await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);

        AssertClose(afterJoin, "after a device joined");
        Assert.Contains("dev4", afterJoin.Devices.Select(d => d.Device));
        Assert.Equal(3, afterJoin.Devices.Count);
    }

    [Fact]
    public async Task Infer_AfterHardKill_SurvivorsAnswer()
    {
        await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);
        var victim = await VictimAsync();

        await Cluster.KillSiloAsync(victim.Handle, TestContext.Current.CancellationToken);
        var result = await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);

        AssertClose(result, "after a hard kill");
        TestContext.Current.TestOutputHelper?.WriteLine($"after a hard kill: {result.Attempts} run(s), {result.WallMilliseconds:F0} ms on {string.Join(", ", result.Devices.Select(d => d.Device))}");
        Assert.DoesNotContain(victim.Device, result.Devices.Select(d => d.Device));

        // The lost device stays out of the following plans even while membership may still list it.
        var next = await Deep.InferAsync(_ids).WaitAsync(Limit, TestContext.Current.CancellationToken);
        AssertClose(next, "the request after");
        Assert.Equal(1, next.Attempts);
    }

    [Fact]
    public async Task Infer_DeviceKilledDuringTheRequest_ReplannedAndRightAnswer()
    {
        var outcome = await FailoverCluster.KillDuringRequestAsync(
            Cluster,
            Deep,
            _ids,
            async request => (await request.WaitAsync(Limit, TestContext.Current.CancellationToken)).Attempts >= 2,
            TestContext.Current.CancellationToken);
        var result = await outcome.Request;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"killed {outcome.Victim} after layer {outcome.Events.Min(e => e.Layer)} (try {outcome.Tries}): {result.Attempts} runs, {result.WallMilliseconds:F0} ms in all, answer {System.Diagnostics.Stopwatch.GetElapsedTime(outcome.KilledAt).TotalMilliseconds:F0} ms after the kill");

        AssertClose(result, "killed mid-request");
        Assert.DoesNotContain(outcome.Victim, result.Devices.Select(d => d.Device));
        Assert.Contains(outcome.Events, e => e.Attempt == 1 && e.Layer < DeepSyntheticModel.Config.Layers - 1);
    }

    private Task<(SiloHandle Handle, string Device)> VictimAsync() => FailoverCluster.VictimAsync(Cluster, Deep);

    private void AssertClose(InferResult result, string what)
    {
        Assert.Equal((Sequence, DeepSyntheticModel.Config.HiddenSize), (result.Tokens, result.HiddenSize));
        var actual = result.Hidden.ToArray();
        var scale = Math.Max(1.0, _expected.Max(v => Math.Abs((double)v)));
        var worst = _expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= Tolerance * scale, $"{what}: max |Δ| = {worst:E2} (tolerance {Tolerance * scale:E2}), devices {string.Join(", ", result.Devices.Select(d => d.Device))}");
    }

    private static float[] Reference(string directory, int[] ids)
    {
        var model = LocalModel.Load(directory);
        using var threads = new KernelThreads(1);
        return new Encoder(model.Weights, threads).Forward(ids, default, default);
    }
}
