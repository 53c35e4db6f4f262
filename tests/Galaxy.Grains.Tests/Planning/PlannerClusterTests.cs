using Galaxy.Grains.Planning;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>
/// The planner on a live 3-silo cluster whose devices have 2, 1 and 1 kernel threads: shares follow the speeds the
/// devices measured, and every result reports the prediction beside the measured latency.
/// </summary>
[Collection(PlannerClusterCollectionDefinition.Name)]
public sealed class PlannerClusterTests(PlannerClusterFixture fixture)
{
    private const int Tokens = 256;

    private IInferenceGrain Wide => fixture.Client.GetGrain<IInferenceGrain>(PlannerClusterFixture.ModelId);

    [Fact]
    public async Task Infer_UnequalThreads_SharesFollowTheMeasuredSpeeds()
    {
        var profiles = await fixture.Client.GetGrain<IDeviceRegistryGrain>(DeviceRegistry.Key).GetProfilesAsync();
        var config = PlannerClusterFixture.Config;
        var speed = profiles.ToDictionary(
            p => p.Device,
            p =>
            {
                var spec = ProfileAdapter.ToSpec(p.Device, p, PlannerClusterFixture.ModelId, config)!;
                return 1 / ((2.0 * Tokens * config.HiddenSize * ((3.0 * config.HiddenSize) + config.HiddenSize) / spec.Gemm.QueryKeyValue)
                    + (4.0 * config.IntermediateSize * Tokens * config.HiddenSize / spec.Gemm.MlpUp));
            });

        var result = await Wide.InferAsync(DeepSyntheticModel.TokenIds(Tokens, seed: 5));

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, result.Devices.Select(d =>
            $"{d.Device}: GEMM-speed {speed[d.Device]:F1} layers/s (profiled), {d.Share.Heads} heads, {d.Share.MlpColumns} columns, {d.Share.Rows} rows")));
        Assert.Equal(config.Heads, result.Devices.Sum(d => d.Share.Heads));
        Assert.Equal(config.IntermediateSize, result.Devices.Sum(d => d.Share.MlpColumns));
        Assert.Equal(Tokens, result.Devices.Sum(d => d.Share.Rows));

        // Whenever one device measured faster than another, it holds at least as much (within one head and one column unit).
        foreach (var a in result.Devices)
        {
            foreach (var b in result.Devices.Where(b => speed[a.Device] > speed[b.Device]))
            {
                Assert.True(a.Share.Heads >= b.Share.Heads - 1, $"{a.Device} (faster) has {a.Share.Heads} heads, {b.Device} {b.Share.Heads}");
                Assert.True(a.Share.MlpColumns >= b.Share.MlpColumns - 8, $"{a.Device} (faster) has {a.Share.MlpColumns} columns, {b.Device} {b.Share.MlpColumns}");
            }
        }
    }

    /// <summary>
    /// Every result carries the planner's prediction beside the measurement, per device and per request; the test
    /// writes both (medians over nine requests after six warm-ups) to its output. It does not assert the 30 %
    /// bound: on this 2-core machine the three silos' four kernel threads share two cores, which the profiles (measured
    /// one silo at a time) cannot foresee, and the measured error is far outside 30 % and varies run to run
    /// (docs/planner.md reports the numbers). That is a fact about this machine, not a threshold a unit test can hold.
    /// </summary>
    [Fact]
    public async Task Infer_SeveralRequests_ReportPredictedBesideMeasured()
    {
        var tokens = DeepSyntheticModel.TokenIds(Tokens, seed: 9);
        for (var i = 0; i < 6; i++)
        {
            await Wide.InferAsync(tokens);
        }

        var runs = new List<InferResult>();
        for (var i = 0; i < 9; i++)
        {
            runs.Add(await Wide.InferAsync(tokens));
        }

        var measured = Median(runs.Select(r => r.WallMilliseconds));
        var predicted = Median(runs.Select(r => r.PredictedMilliseconds));
        TestContext.Current.TestOutputHelper?.WriteLine($"median measured {measured:F1} ms, median predicted {predicted:F1} ms, error {(predicted / measured) - 1:P1}");
        foreach (var run in runs)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"  {run.WallMilliseconds:F1} ms measured, {run.PredictedMilliseconds:F1} predicted; " + string.Join(", ", run.Devices.Select(d => $"{d.Device} compute {d.ComputeMilliseconds:F1}/{d.PredictedComputeMilliseconds:F1}")));
        }

        Assert.All(runs, r =>
        {
            Assert.True(double.IsFinite(r.PredictedMilliseconds) && r.PredictedMilliseconds > 0);
            Assert.All(r.Devices, d => Assert.Equal(r.PredictedMilliseconds, d.PredictedWallMilliseconds));
            Assert.All(r.Devices, d => Assert.True(d.PredictedComputeMilliseconds > 0 && d.PredictedComputeMilliseconds <= r.PredictedMilliseconds));
        });
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
