using Galaxy.Client.Evaluation;

namespace Galaxy.SystemTests.Evaluation;

/// <summary>Quantiles and cell summaries against values worked out by hand.</summary>
public sealed class EvaluationStatisticsTests
{
    [Fact]
    public void Quantile_OddAndEvenCounts_LinearBetweenOrderStatistics()
    {
        Assert.Equal(3, EvaluationStatistics.Median([5, 1, 3]));
        Assert.Equal(2.5, EvaluationStatistics.Median([4, 1, 2, 3]));
        Assert.Equal(1.75, EvaluationStatistics.Quantile([4, 1, 2, 3], 0.25), 12);
        Assert.Equal(3.25, EvaluationStatistics.Quantile([4, 1, 2, 3], 0.75), 12);
        Assert.Equal(7, EvaluationStatistics.Quantile([7], 0.9));
        Assert.Equal(1, EvaluationStatistics.Quantile([4, 1, 2, 3], 0));
        Assert.Equal(4, EvaluationStatistics.Quantile([4, 1, 2, 3], 1));
    }

    [Fact]
    public void Quantile_BadInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => EvaluationStatistics.Median([]));
        Assert.Throws<ArgumentException>(() => EvaluationStatistics.Quantile([1, 2], 1.5));
        Assert.Throws<ArgumentException>(() => EvaluationStatistics.Median([1, double.NaN]));
    }

    [Fact]
    public void Summarize_RunsAndOom_OneSummaryPerCell()
    {
        EvaluationSample Run(string mode, int run, double wall, double predicted, double? difference = null) => new()
        {
            Setup = "s", ClusterDevices = 3, Bandwidth = "1gbit", Model = "bert-large", Sequence = 256, Mode = mode, Run = run,
            WallMilliseconds = wall, PredictedMilliseconds = predicted, Devices = ["a", "b"], MaxAbsoluteDifference = difference,
        };

        var cells = EvaluationStatistics.Summarize(
        [
            new EvaluationSample { Setup = "s", ClusterDevices = 3, Bandwidth = "1gbit", Model = "bert-large", Sequence = 256, Mode = "sp", Fits = false, Oom = "needs 5 GiB, has 4 GiB" },
            Run("galaxy", 1, 100, 90, 1e-6),
            Run("galaxy", 2, 140, 90, 3e-6),
            Run("galaxy", 3, 120, 110, 2e-6),
        ]);

        // The OOM cell came first, but cells are listed in mode order: sp before galaxy.
        Assert.Equal(["sp", "galaxy"], cells.Select(c => c.Mode));
        var galaxy = cells[1];
        Assert.Equal(("galaxy", 3, 120.0, 110.0, 130.0, 100.0, 140.0, 90.0), (galaxy.Mode, galaxy.Runs, galaxy.Median, galaxy.Lower, galaxy.Upper, galaxy.Min, galaxy.Max, galaxy.PredictedMedian));
        Assert.Equal(3e-6, galaxy.MaxAbsoluteDifference);
        Assert.Equal((120.0 / 90) - 1, galaxy.PredictionError, 12);
        Assert.True(galaxy.Ran);
        var sp = cells[0];
        Assert.False(sp.Ran);
        Assert.Equal("needs 5 GiB, has 4 GiB", sp.Oom);
        Assert.Equal(0, sp.PredictionError);
    }
}
