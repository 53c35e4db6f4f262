using Galaxy.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Galaxy.SystemTests.Settings;

/// <summary><see cref="SiloStartupReports"/>: the hook through which a device's profile reaches the silo's start log.</summary>
public sealed class SiloStartupReportsTests
{
    [Fact]
    public async Task LogAll_Reports_LogsEachLineInOrderAndSurvivesAFailingOne()
    {
        using var services = new ServiceCollection()
            .AddSingleton<ISiloStartupReport>(new FixedReport("profile: 41.5 GFLOP/s GEMM"))
            .AddSingleton<ISiloStartupReport>(new FixedReport(null))
            .AddSingleton<ISiloStartupReport>(new FailingReport())
            .AddSingleton<ISiloStartupReport>(new FixedReport("links: not measured yet"))
            .BuildServiceProvider();
        var logger = new RecordingLogger();

        var lines = await SiloStartupReports.LogAllAsync(services, logger, "dev1", TestContext.Current.CancellationToken);

        Assert.Equal(["profile: 41.5 GFLOP/s GEMM", "links: not measured yet"], lines);
        Assert.Equal(
            [
                "Information Device dev1: profile: 41.5 GFLOP/s GEMM",
                "Warning Device dev1: startup report FailingReport failed: the benchmark could not run",
                "Information Device dev1: links: not measured yet",
            ],
            logger.Lines);
    }

    [Fact]
    public async Task LogAll_NoReports_LogsNothing()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var logger = new RecordingLogger();

        var lines = await SiloStartupReports.LogAllAsync(services, logger, "dev1", TestContext.Current.CancellationToken);

        Assert.Empty(lines);
        Assert.Empty(logger.Lines);
    }

    private sealed class FixedReport(string? line) : ISiloStartupReport
    {
        public Task<string?> DescribeAsync(CancellationToken cancellation) => Task.FromResult(line);
    }

    private sealed class FailingReport : ISiloStartupReport
    {
        public Task<string?> DescribeAsync(CancellationToken cancellation) => throw new InvalidOperationException("the benchmark could not run");
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel} {formatter(state, exception)}");
    }
}
