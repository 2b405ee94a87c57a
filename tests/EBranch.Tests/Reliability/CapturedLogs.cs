using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EBranch.Tests.Reliability;

/// <summary>
/// Every log line of the hosts it is added to, from Debug up whatever the hosts' appsettings say (a provider's own
/// filter rule wins over the category rules), with the exception, its inner exceptions and the structured values.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Adds this provider to a host at Debug for every category (the framework's, EF Core's SQL, Quartz, FusionCache, ours).</summary>
    public void AddTo(IWebHostBuilder builder, string host)
        => builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(new HostTagged(this, host));
            logging.AddFilter<HostTagged>(null, LogLevel.Debug);
        });

    public ILogger CreateLogger(string categoryName) => new Logger(this, "", categoryName);

    public void Dispose()
    {
    }

    private void Add(string line) => _lines.Enqueue(line);

    private sealed class HostTagged(CapturedLogs logs, string host) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs, host, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(CapturedLogs logs, string host, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}"))
                : state?.ToString();
            logs.Add($"[{host}] {logLevel} {category}: {formatter(state, exception)} | {values} | {exception}");
        }
    }
}
