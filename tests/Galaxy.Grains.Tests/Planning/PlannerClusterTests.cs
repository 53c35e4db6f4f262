using Galaxy.Grains.Planning;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>
/// The planner on a live 3-silo cluster whose devices have 2, 1 and 1 kernel threads: shares follow the speeds the
/// devices measured, and the prediction is compared with the measured latency.
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
    /// A model-accuracy check, not a speed threshold: it compares two numbers of the same requests — the planner's
    /// prediction and the measured latency — whatever the machine's speed. Medians over several requests after the
    /// first drifts were calibrated (the profiles were measured one silo at a time; serving, three silos share two
    /// cores), so one noisy request does not decide it. The bound is the 30 %.
    /// </summary>
    [Fact]
    public async Task Infer_AfterCalibration_PredictedWithinThirtyPercentOfMeasured()
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
        var error = (predicted / measured) - 1;
        TestContext.Current.TestOutputHelper?.WriteLine($"median measured {measured:F1} ms, median predicted {predicted:F1} ms, error {error:P1}");
        foreach (var run in runs)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"  {run.WallMilliseconds:F1} ms measured, {run.PredictedMilliseconds:F1} predicted; " + string.Join(", ", run.Devices.Select(d => $"{d.Device} compute {d.ComputeMilliseconds:F1}/{d.PredictedComputeMilliseconds:F1}")));
        }

        Assert.All(runs, r => Assert.True(r.PredictedMilliseconds > 0));
        Assert.True(Math.Abs(error) <= 0.30, $"predicted {predicted:F1} ms vs measured {measured:F1} ms: {error:P1}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
