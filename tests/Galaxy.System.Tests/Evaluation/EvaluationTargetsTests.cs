using Galaxy.Client.Evaluation;

namespace Galaxy.SystemTests.Evaluation;

/// <summary>The targets checked on made-up cells: met, missed, and not measured.</summary>
public sealed class EvaluationTargetsTests
{
    private static readonly EvaluationSetup Heterogeneous = EvaluationSetupReader.Parse("""
        name: het
        devices:
          - { name: a, cpu: 25%, link: 100mbit }
          - { name: b, cpu: 75%, link: 1gbit }
        """, "het.yaml", 2);

    private static readonly EvaluationSetup Sweep = EvaluationSetupReader.Parse("""
        name: sweep
        devices:
          - { name: a, cpu: 40%, link: 1gbit }
          - { name: b, cpu: 40%, link: 1gbit }
          - { name: c, cpu: 40%, link: 1gbit }
        device_counts: [1, 2, 3]
        """, "sweep.yaml", 2);

    private static CellSummary Cell(string setup, string bandwidth, string mode, double median, double predicted = 0, int devices = 2, int sequence = 256) =>
        new(setup, devices, bandwidth, "bert-large", sequence, mode, 5, median, median, median, median, median, predicted, null, mode == "local" ? ["b"] : ["a", "b"], null);

    [Fact]
    public void Check_HeterogeneousFastEnough_Met()
    {
        var checks = EvaluationTargets.Check([Heterogeneous], [Cell("het", "1gbit", "galaxy", 100), Cell("het", "1gbit", "local", 190), Cell("het", "1gbit", "megatron", 150)]);

        var check = checks.Single(c => c.Target.StartsWith("heterogeneous", StringComparison.Ordinal));
        Assert.True(check.Met, check.Measured);
        Assert.Contains("(1.90×)", check.Measured, StringComparison.Ordinal);
        Assert.Contains("(1.50×)", check.Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_HeterogeneousTooSlowAgainstMegatron_Missed()
    {
        var checks = EvaluationTargets.Check([Heterogeneous], [Cell("het", "1gbit", "galaxy", 100), Cell("het", "1gbit", "local", 250), Cell("het", "1gbit", "megatron", 130)]);

        Assert.False(checks.Single(c => c.Target.StartsWith("heterogeneous", StringComparison.Ordinal)).Met);
    }

    [Fact]
    public void Check_NothingMeasured_EveryTargetNotMeasured()
    {
        var checks = EvaluationTargets.Check([Heterogeneous], []);

        Assert.Equal(5, checks.Count);
        Assert.All(checks, c => Assert.Null(c.Met));
        Assert.All(checks, c => Assert.Equal("not measured", c.Verdict));
    }

    [Fact]
    public void Check_SlowLinks_OverlapGainAndNeverSlowerThanLocal()
    {
        var met = EvaluationTargets.Check([Heterogeneous], [Cell("het", "100mbit", "galaxy", 100, devices: 2), Cell("het", "100mbit", "galaxy-no-overlap", 140), Cell("het", "100mbit", "local", 100)]);
        var slower = EvaluationTargets.Check([Heterogeneous], [Cell("het", "100mbit", "galaxy", 100), Cell("het", "100mbit", "galaxy-no-overlap", 110), Cell("het", "100mbit", "local", 90)]);

        Assert.True(Overlap(met).Met);
        Assert.True(NeverSlower(met).Met);
        Assert.False(Overlap(slower).Met);
        Assert.False(NeverSlower(slower).Met);
    }

    [Fact]
    public void Check_SlowLinksGalaxyOnLocalsDevice_OverlapNotApplicableNeverSlowerMet()
    {
        var oneDevice = new[] { "b" };
        var cells = new[]
        {
            Cell("het", "100mbit", "galaxy", 100) with { Devices = oneDevice },
            Cell("het", "100mbit", "galaxy-no-overlap", 95) with { Devices = oneDevice },
            Cell("het", "100mbit", "local", 92) with { Devices = oneDevice },
        };

        var checks = EvaluationTargets.Check([Heterogeneous], cells);

        Assert.Null(Overlap(checks).Met);
        Assert.Contains("not applicable: the planner kept one device", Overlap(checks).Measured, StringComparison.Ordinal);
        Assert.True(NeverSlower(checks).Met);
        Assert.Contains("the same single-device plan", NeverSlower(checks).Measured, StringComparison.Ordinal);
    }

    private static TargetCheck Overlap(IReadOnlyList<TargetCheck> checks) => checks.Single(c => c.Target.Contains("with overlap", StringComparison.Ordinal));

    private static TargetCheck NeverSlower(IReadOnlyList<TargetCheck> checks) => checks.Single(c => c.Target.Contains("never slower", StringComparison.Ordinal));

    [Fact]
    public void Check_Predictions_ListsCellsOutside25Percent()
    {
        var cells = new[] { Cell("het", "1gbit", "galaxy", 100, predicted: 90), Cell("het", "1gbit", "local", 200, predicted: 140), Cell("het", "1gbit", "sp", 100, predicted: 0) };

        var check = EvaluationTargets.Check([Heterogeneous], cells).Single(c => c.Target.StartsWith("predicted", StringComparison.Ordinal));
        var outside = EvaluationTargets.MispredictedCells(cells);

        Assert.False(check.Met);
        Assert.Equal("local", Assert.Single(outside).Mode);
        Assert.Contains("2 cells", check.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Sweep_SlowerWithMoreDevicesIsMissed()
    {
        var rising = new[] { Cell("sweep", "setup", "galaxy", 300, devices: 1), Cell("sweep", "setup", "galaxy", 180, devices: 2), Cell("sweep", "setup", "galaxy", 200, devices: 3) };
        var falling = new[] { Cell("sweep", "setup", "galaxy", 300, devices: 1), Cell("sweep", "setup", "galaxy", 180, devices: 2), Cell("sweep", "setup", "galaxy", 150, devices: 3) };

        var missed = EvaluationTargets.Check([Sweep], rising).Single(c => c.Target.StartsWith("adding", StringComparison.Ordinal));
        var met = EvaluationTargets.Check([Sweep], falling).Single(c => c.Target.StartsWith("adding", StringComparison.Ordinal));

        Assert.False(missed.Met);
        Assert.Contains("slower at 3 devices", missed.Measured, StringComparison.Ordinal);
        Assert.True(met.Met);
        Assert.Contains("1gbit", met.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Links_SetupLabel_OneRateOrMixed()
    {
        Assert.Equal("mixed", EvaluationTargets.Links(Heterogeneous, "setup"));
        Assert.Equal("1gbit", EvaluationTargets.Links(Sweep, "setup"));
        Assert.Equal("100mbit", EvaluationTargets.Links(Heterogeneous, "100mbit"));
    }
}
