using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cxdi.Host.Execution;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Host.Tui;

/// <summary>
/// Turns the lines <see cref="ConsoleProgress"/> prints back into <see cref="ProgressReport"/>s, so the run monitor is fed by
/// the very same <see cref="WorkflowRunner"/> the CLI uses (which reports progress only through its output writer).
/// </summary>
public static partial class ProgressLineParser
{
    /// <summary>Parses one line of <see cref="ConsoleProgress.Format"/>; false for any other line (step done, files written…).</summary>
    public static bool TryParse(string line, out ProgressReport report)
    {
        report = new ProgressReport("", "");
        var m = Pattern().Match(line);
        if (!m.Success || !(m.Groups["run"].Success || m.Groups["cycle"].Success || m.Groups["pct"].Success || m.Groups["state"].Success))
        {
            return false;
        }

        var ci = CultureInfo.InvariantCulture;
        int? Int(string g) => m.Groups[g].Success ? int.Parse(m.Groups[g].Value, ci) : null;
        double? Real(string g) => m.Groups[g].Success && double.TryParse(m.Groups[g].Value, NumberStyles.Float, ci, out var v) ? v : null;
        RunState? state = m.Groups["state"].Success && Enum.TryParse<RunState>(m.Groups["state"].Value, ignoreCase: true, out var s) ? s : null;
        if (m.Groups["state"].Success && state is null)
        {
            return false;
        }

        report = new ProgressReport(m.Groups["step"].Value, m.Groups["msg"].Success ? m.Groups["msg"].Value : "")
        {
            Run = Int("run") - 1,
            RunCount = Int("runs"),
            Cycle = Int("cycle"),
            CycleCount = Int("cycles"),
            Llk = Real("llk"),
            FreeLlk = Real("free"),
            SupportSize = m.Groups["support"].Success ? long.Parse(m.Groups["support"].Value, ci) : null,
            Fraction = Real("pct") / 100,
            State = state ?? (m.Groups["cycle"].Success ? RunState.Running : null),
        };
        return true;
    }

    [GeneratedRegex(@"^\[(?<step>[^\]]+)\](?: run (?<run>\d+)(?:/(?<runs>\d+))?)?(?: cycle (?<cycle>\d+)(?:/(?<cycles>\d+))?)?(?: LLK (?<llk>\S+))?(?: free LLK (?<free>\S+))?(?: support (?<support>\d+))?(?: (?<pct>\d+)%)?(?: \((?<state>[a-z]+)\))?(?:: (?<msg>.*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

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
