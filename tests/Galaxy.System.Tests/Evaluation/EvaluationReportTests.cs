using Galaxy.Client.Evaluation;

namespace Galaxy.SystemTests.Evaluation;

/// <summary>The Markdown report and the plots from made-up results.</summary>
public sealed class EvaluationReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("galaxy-eval-report-").FullName;

    private static readonly EvaluationSetup Setup = EvaluationSetupReader.Parse("""
        name: het
        description: two unequal devices
        devices:
          - { name: a, cpu: 25%, link: 100mbit, delay: 2ms, memory: 1GiB }
          - { name: b, cpu: 75%, link: 1gbit }
        bandwidths: [1gbit, 100mbit]
        """, "het.yaml", 2);

    private static readonly EvaluationSetup Sweep = EvaluationSetupReader.Parse("""
        name: sweep
        devices:
          - { name: a, cpu: 40%, link: 1gbit }
          - { name: b, cpu: 40%, link: 1gbit }
        device_counts: [1, 2]
        modes: [local, galaxy]
        """, "sweep.yaml", 2);

    private static List<EvaluationSample> Samples()
    {
        var samples = new List<EvaluationSample>();
        foreach (var (bandwidth, factor) in new[] { ("1gbit", 1.0), ("100mbit", 3.0) })
        {
            foreach (var (mode, wall) in new[] { ("local", 900.0), ("megatron", 700.0), ("galaxy-no-overlap", 600.0), ("galaxy", 500.0) })
            {
                for (var run = 1; run <= 3; run++)
                {
                    samples.Add(new EvaluationSample
                    {
                        Setup = "het", ClusterDevices = 2, Bandwidth = bandwidth, Model = "bert-large", Sequence = 256, Mode = mode, Run = run,
                        WallMilliseconds = (wall * factor) + (2 * run), PredictedMilliseconds = wall * factor, Devices = ["a", "b"], MaxAbsoluteDifference = 2e-6,
                    });
                }
            }

            samples.Add(new EvaluationSample { Setup = "het", ClusterDevices = 2, Bandwidth = bandwidth, Model = "bert-large", Sequence = 256, Mode = "sp", Fits = false, Oom = "a needs 1.6 GiB | has 1 GiB" });
        }

        foreach (var (count, wall) in new[] { (1, 1000.0), (2, 600.0) })
        {
            samples.Add(new EvaluationSample { Setup = "sweep", ClusterDevices = count, Bandwidth = "setup", Model = "bert-large", Sequence = 128, Mode = "local", Run = 1, WallMilliseconds = 1000, Devices = ["a"] });
            samples.Add(new EvaluationSample { Setup = "sweep", ClusterDevices = count, Bandwidth = "setup", Model = "bert-large", Sequence = 128, Mode = "galaxy", Run = 1, WallMilliseconds = wall, Devices = ["a"] });
        }

        return samples;
    }

    [Fact]
    public void Markdown_TablesSpeedupsTargetsAndOom()
    {
        var samples = Samples();
        var results = new EvaluationResults(DateTimeOffset.UnixEpoch, "galaxy eval --setup het.yaml", 2, [Setup, Sweep], samples, EvaluationStatistics.Summarize(samples));

        var text = EvaluationReport.Markdown(results, [new EvaluationPlot("het", "het: latency", "latency-het.png", "latency-het.svg")]);

        Assert.Contains("## Setup `het`", text, StringComparison.Ordinal);
        Assert.Contains("| a | 25% | 100mbit | 2ms | 1 GiB |", text, StringComparison.Ordinal);
        Assert.Contains("| 2 | 1gbit | bert-large | 256 | galaxy | 504 | 503–505 | 502–506 | 3 | 500 | +1% | a, b | 2.0e-6 |", text, StringComparison.Ordinal);
        Assert.Contains("| 2 | 1gbit | bert-large | 256 | sp | OOM | | | 0 | | | a needs 1.6 GiB \\| has 1 GiB | |", text, StringComparison.Ordinal);
        Assert.Contains("| 2 | 1gbit | bert-large | 256 | 1.79× | 1.40× | OOM | 1.20× |", text, StringComparison.Ordinal);
        Assert.Contains("![het: latency](latency-het.png) ([SVG](latency-het.svg))", text, StringComparison.Ordinal);
        Assert.Contains("| heterogeneous, 1 Gbit/s, BERT-large S=256", text, StringComparison.Ordinal);
        Assert.Contains("| MISSED |", text, StringComparison.Ordinal);
        Assert.Contains("Device counts: 1, 2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Plots_WritePngAndSvgPerSetupModelAndLength()
    {
        var samples = Samples();

        var plots = EvaluationPlots.Write([Setup, Sweep], EvaluationStatistics.Summarize(samples), _directory);

        Assert.Equal(2, plots.Count);
        Assert.Equal("latency-het-bert-large-s256.png", plots[0].Png);
        Assert.Equal("speedup-sweep-bert-large-s128-setup.svg", plots[1].Svg);
        foreach (var plot in plots)
        {
            var png = File.ReadAllBytes(Path.Combine(_directory, plot.Png));
            Assert.True(png.Length > 1000);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(_directory, plot.Svg)), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0.2749, "+27%")]
    [InlineData(-0.031, "-3%")]
    [InlineData(-0.0004, "0%")]
    [InlineData(0.0, "0%")]
    public void Percent_SignedWholePercent(double fraction, string expected) => Assert.Equal(expected, EvaluationReport.Percent(fraction));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
