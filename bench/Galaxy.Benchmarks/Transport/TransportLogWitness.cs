using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Galaxy.Benchmarks.Transport;

/// <summary>
/// The silos' only logger: keeps the first line of every error instead of printing stack traces, so
/// the driver can attach the reason for a loss (memory streams drop large events with nothing but a
/// log line on the receiving silo) to the row it happened in.
/// </summary>
public sealed class TransportLogWitness : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    public ILogger CreateLogger(string categoryName) => new Witness(this, categoryName);

    /// <summary>The distinct errors logged since the last call.</summary>
    public IReadOnlyList<string> Drain()
    {
        var seen = new List<string>();
        while (_errors.TryDequeue(out var error))
        {
            if (!seen.Contains(error))
            {
                seen.Add(error);
            }
        }

        return seen;
    }

    public void Dispose()
    {
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }

    private sealed class Witness(TransportLogWitness owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var reason = exception is null ? FirstLine(formatter(state, exception)) : $"{exception.GetType().Name}: {FirstLine(exception.Message)}";
            var source = category[(category.LastIndexOf('.') + 1)..];
            owner._errors.Enqueue($"{source}: {reason}");
        }
    }
}
