using Microsoft.Extensions.Logging;

namespace Cxdi.Host.Cli;

/// <summary>
/// A logger provider that writes one plain line per message. The CLI keeps it quiet by default (findings, progress and the
/// one-line errors say what matters); with <paramref name="verbose"/> every message goes to <paramref name="error"/>, otherwise
/// warnings that reach it go to <paramref name="output"/> and errors are left to the command's one-line error.
/// </summary>
public sealed class TextWriterLoggerProvider(TextWriter output, TextWriter error, bool verbose) : ILoggerProvider
{
    private readonly Lock _lock = new();

    /// <summary>A provider that writes every message it receives to <paramref name="writer"/> (the TUI's run log).</summary>
    public TextWriterLoggerProvider(TextWriter writer)
        : this(writer, writer, verbose: true)
    {
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(LogLevel level, string line)
    {
        var writer = verbose ? error : level == LogLevel.Warning ? output : null;
        if (writer is null)
        {
            return;
        }

        lock (_lock)
        {
            writer.WriteLine(line);
        }
    }

    private sealed class Logger(TextWriterLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = logLevel switch
            {
                LogLevel.Trace => "trace",
                LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warning",
                LogLevel.Error => "error",
                _ => "critical",
            };
            owner.Write(logLevel, $"{level}: {category}: {formatter(state, exception).ReplaceLineEndings(" ")}");
        }
    }
}
