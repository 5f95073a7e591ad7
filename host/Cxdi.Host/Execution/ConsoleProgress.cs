using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Host.Execution;

/// <summary>
/// Prints progress reports as plain lines (no ANSI), at most a few per second: a report that finishes a run (or starts
/// the next one) is always printed, intermediate ones only when <see cref="MinInterval"/> has passed. Thread-safe.
/// </summary>
public sealed class ConsoleProgress(TextWriter output) : IProgress<ProgressReport>
{
    /// <summary>Minimum time between two intermediate lines.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _last = TimeSpan.MinValue;

    /// <summary>Lines printed so far.</summary>
    public int LinesPrinted { get; private set; }

    /// <inheritdoc />
    public void Report(ProgressReport value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var important = value.State is RunState.Finished or RunState.Kept or RunState.Rejected or RunState.Failed or RunState.Cancelled || value.Fraction is >= 1.0;
        lock (_lock)
        {
            var now = _clock.Elapsed;
            if (!important && _last != TimeSpan.MinValue && now - _last < MinInterval)
            {
                return;
            }

            _last = now;
            output.WriteLine(Format(value));
            LinesPrinted++;
        }
    }

    /// <summary>One line: <c>[step] run 03 of 10 cycle 120/600 LLK 1.234 free LLK 1.301 support 1234 (kept): message</c>.</summary>
    public static string Format(ProgressReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append('[').Append(r.Step).Append(']');
        if (r.Run is { } run)
        {
            // Runs are numbered from 0 as their files are (run 03 is run_03.cxi); "of N" gives the count.
            sb.Append(ci, $" run {run:D2}");
            if (r.RunCount is { } n)
            {
                sb.Append(ci, $" of {n}");
            }
        }

        if (r.Cycle is { } cycle)
        {
            sb.Append(ci, $" cycle {cycle}");
            if (r.CycleCount is { } n)
            {
                sb.Append(ci, $"/{n}");
            }
        }

        if (r.Llk is { } llk)
        {
            sb.Append(ci, $" LLK {llk:G5}");
        }

        if (r.FreeLlk is { } free)
        {
            sb.Append(ci, $" free LLK {free:G5}");
        }

        if (r.SupportSize is { } support)
        {
            sb.Append(ci, $" support {support}");
        }

        if (r.Fraction is { } fraction && r.Cycle is null)
        {
            sb.Append(ci, $" {100 * fraction:F0}%");
        }

        if (r.State is { } state && state != RunState.Running)
        {
            sb.Append(" (").Append(state.ToString().ToLowerInvariant()).Append(')');
        }

        if (!string.IsNullOrEmpty(r.Message))
        {
            sb.Append(": ").Append(r.Message.ReplaceLineEndings(" "));
        }

        return sb.ToString();
    }
}
