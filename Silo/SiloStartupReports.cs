using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Galaxy.Silo;

/// <summary>Logs every registered <see cref="ISiloStartupReport"/> once the silo is up.</summary>
public static class SiloStartupReports
{
    /// <summary>Awaits each report in registration order and logs its line; a failing report is logged as a warning, not fatal.</summary>
    /// <returns>The lines logged.</returns>
    public static async Task<IReadOnlyList<string>> LogAllAsync(IServiceProvider services, ILogger logger, string device, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(logger);
        var lines = new List<string>();
        foreach (var report in services.GetServices<ISiloStartupReport>())
        {
            try
            {
                var line = await report.DescribeAsync(cancellation).ConfigureAwait(false);
                if (!string.IsNullOrWhiteSpace(line))
                {
                    SiloLog.Report(logger, device, line);
                    lines.Add(line);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var kind = report.GetType().Name;
                SiloLog.ReportFailed(logger, device, kind, e.Message);
            }
        }

        return lines;
    }
}
