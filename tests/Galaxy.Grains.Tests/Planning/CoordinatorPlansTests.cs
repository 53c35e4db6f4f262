using Galaxy.Grains.Planning;
using static Galaxy.Grains.Tests.Planning.PlanningFixtures;

namespace Galaxy.Grains.Tests.Planning;

/// <summary>The coordinator's plan cache and its calibration from measured runs.</summary>
public sealed class CoordinatorPlansTests
{
    private static readonly DateTimeOffset Measured = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DeviceProfile Profile(string device, double gflops) => new(
        device,
        $"silo-{device}",
        2,
        1,
        8L << 30,
        Measured,
        1000,
        [
            new ModelThroughput(
                "minilm",
                6,
                [
                    new GemmThroughput(GemmBlocks.QueryKeyValue, 128, 384, 1152, gflops * 1e9),
                    new GemmThroughput(GemmBlocks.Output, 128, 384, 384, gflops * 1e9),
                    new GemmThroughput(GemmBlocks.MlpUp, 128, 384, 1536, gflops * 1e9),
                    new GemmThroughput(GemmBlocks.MlpDown, 128, 1536, 384, gflops * 1e9),
                ],
                [new AttentionThroughput(128, 12, 32, gflops * 1e9)]) { ConnectiveRowsPerSecond = gflops * 1e5 },
        ]);

    [Fact]
    public void Record_ThreeRunsOffByMoreThanAQuarter_RefreshesFromTheMeasurements()
    {
        var now = Measured;
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions { SelectDevices = false }, () => now);
        DeviceProfile[] profiles = [Profile("a", 20), Profile("b", 20)];
        var first = plans.PlanRequest(["a", "b"], profiles, [], 128);

        // Device a computes three times slower than profiled, b as profiled; the request takes twice the prediction.
        bool Run() => plans.Record(
            first,
            [("a", first.Prediction.Devices[0].ComputeSeconds * 3000), ("b", first.Prediction.Devices[1].ComputeSeconds * 1000)],
            first.Prediction.TotalSeconds * 2000);

        Assert.False(Run());
        Assert.False(Run());
        Assert.True(Run());

        Assert.Equal(1, plans.Refreshes);
        Assert.Equal(1.0 / 3, plans.SpeedFactors["a"], 9);
        Assert.Equal(1.0, plans.SpeedFactors["b"], 9);
        var second = plans.PlanRequest(["a", "b"], profiles, [], 128);
        Assert.True(second.Plan.Shares[0].Heads < first.Plan.Shares[0].Heads, "the slowed device should get fewer heads");

        // Within the refresh interval, drift does not refresh again.
        Assert.False(Run());
        Assert.False(Run());
        Assert.False(Run());
        now += CoordinatorPlans.RefreshInterval;
        Assert.True(Run());
    }

    [Fact]
    public void PlanRequest_SameInputs_SameHeadsAndColumnsWhateverTheLength()
    {
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions { SelectDevices = false });
        DeviceProfile[] profiles = [Profile("a", 10), Profile("b", 30)];

        var short1 = plans.PlanRequest(["a", "b"], profiles, [], 9);
        var long1 = plans.PlanRequest(["a", "b"], profiles, [], 300);

        Assert.Equal(short1.Plan.Shares.Select(s => (s.Heads, s.MlpColumns)), long1.Plan.Shares.Select(s => (s.Heads, s.MlpColumns)));
        Assert.Equal(300, long1.Plan.Shares.Sum(s => s.Rows));
        Assert.Equal([3, 9], long1.Plan.Shares.Select(s => s.Heads));
    }

    [Fact]
    public void PlanRequest_DeviceWithoutAProfile_CountsAsTheMeanOfTheOthers()
    {
        var plans = new CoordinatorPlans("minilm", MiniLm, new PlannerOptions { SelectDevices = false });

        var split = plans.PlanRequest(["a", "new", "b"], [Profile("a", 10), Profile("b", 30)], [], 64);

        Assert.Equal([2, 4, 6], split.Plan.Shares.Select(s => s.Heads));
    }
}
