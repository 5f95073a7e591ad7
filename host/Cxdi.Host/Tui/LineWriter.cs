using System.Text;

namespace Cxdi.Host.Tui;

/// <summary>A text writer that hands every complete line to a callback; thread-safe, for the runner's output and the logger.</summary>
/// <param name="onLine">Called once per line, on the writing thread.</param>
public sealed class LineWriter(Action<string> onLine) : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _pending = new();

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        string? line = null;
        lock (_lock)
        {
            if (value == '\n')
            {
                line = _pending.ToString().TrimEnd('\r');
                _pending.Clear();
            }
            else
            {
                _pending.Append(value);
            }
        }

        if (line is not null)
        {
            onLine(line);
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }
}
