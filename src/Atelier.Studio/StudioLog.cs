namespace Atelier.Studio;

/// <summary>
/// The studio's log: warnings and errors, one line each, to the writer the host gives (the CLI's stderr). An exception
/// is named by its message only, never its stack trace, and a request's content is never logged (no personal data).
/// </summary>
public sealed class StudioLog(TextWriter writer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(writer, categoryName);

    public void Dispose() { }

    private sealed class Logger(TextWriter writer, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = formatter(state, exception);
            if (exception is not null) text += $": {exception.GetBaseException().Message}";
            var line = $"atelier studio: {(logLevel >= LogLevel.Error ? "error" : "warning")} ({category.Split('.')[^1]}): {text.ReplaceLineEndings(" ")}";
            lock (writer) writer.WriteLine(line);
        }
    }
}
