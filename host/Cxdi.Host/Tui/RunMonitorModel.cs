using System.Diagnostics;
using System.Globalization;
using Cxdi.Host.Execution;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Host.Tui;

/// <summary>One random start as the monitor shows it.</summary>
public sealed class RunRow
{
    /// <summary>Run index, from 0.</summary>
    public required int Index { get; init; }

    /// <summary>Cycles done.</summary>
    public int Cycle { get; set; }

    /// <summary>Cycles planned, when known.</summary>
    public int? CycleCount { get; set; }

    /// <summary>Latest LLK.</summary>
    public double? Llk { get; set; }

    /// <summary>Latest free LLK.</summary>
    public double? FreeLlk { get; set; }

    /// <summary>Latest support size in pixels.</summary>
    public long? SupportSize { get; set; }

    /// <summary>State.</summary>
    public RunState State { get; set; } = RunState.Pending;

    /// <summary>LLK against cycle, for the chart.</summary>
    public List<(int Cycle, double Llk)> History { get; } = [];

    /// <summary>Fraction of this run done, 0 … 1 (1 once finished; a cancelled run keeps what it had done).</summary>
    public double Fraction => State is RunState.Finished or RunState.Kept or RunState.Rejected or RunState.Failed ? 1
        : CycleCount is > 0 and var n ? Math.Clamp((double)Cycle / n, 0, 1) : 0;

    /// <summary>True once the run ended, however.</summary>
    public bool IsFinished => State is RunState.Finished or RunState.Kept or RunState.Rejected or RunState.Failed or RunState.Cancelled;
}

/// <summary>Whether a run is going and how it ended.</summary>
public enum MonitorStatus
{
    /// <summary>Nothing started.</summary>
    Idle,

    /// <summary>The workflow is running.</summary>
    Running,

    /// <summary>Finished successfully.</summary>
    Succeeded,

    /// <summary>Finished with an error.</summary>
    Failed,

    /// <summary>Stopped by the user.</summary>
    Cancelled,
}

/// <summary>
/// The run monitor's state: per-run progress, LLKs and states from <see cref="ProgressReport"/>s, a log, elapsed and estimated
/// remaining time. The runner hands reports over as objects through an <see cref="IProgress{T}"/> and its text lines through a
/// writer, both on worker threads; they are queued in arrival order and applied in batches through <c>dispatch</c> (the UI
/// loop's <c>Invoke</c>), one pending dispatch at a time, so every member is read and changed on one thread and a fast run
/// cannot flood the UI loop. Free of any UI toolkit, so it is tested directly.
/// </summary>
/// <param name="dispatch">Runs an action on the UI thread.</param>
/// <param name="clock">Time source for elapsed and remaining time.</param>
public sealed class RunMonitorModel(Action<Action> dispatch, TimeProvider clock)
{
    private const int MaxLogLines = 2000;
    private readonly Action<Action> _dispatch = dispatch;
    private CancellationTokenSource? _cancellation;
    private long _started;
    private long _ended;

    /// <summary>Raised (on the UI thread) after anything changed.</summary>
    public event Action? Changed;

    /// <summary>Runs by index.</summary>
    public List<RunRow> Runs { get; } = [];

    /// <summary>Log lines, oldest first (the last <c>2000</c>).</summary>
    public List<string> Log { get; } = [];

    /// <summary>Current status.</summary>
    public MonitorStatus Status { get; private set; } = MonitorStatus.Idle;

    /// <summary>Name of the running (or last) workflow.</summary>
    public string Workflow { get; private set; } = "";

    /// <summary>Step currently reporting.</summary>
    public string CurrentStep { get; private set; } = "";

    /// <summary>Outcome of the last finished run, or null.</summary>
    public RunOutcome? Outcome { get; private set; }

    /// <summary>Output directory of the running (or last) workflow.</summary>
    public string? OutputDirectory { get; private set; }

    /// <summary>Time since the start (frozen once finished).</summary>
    public TimeSpan Elapsed => Status == MonitorStatus.Idle ? TimeSpan.Zero
        : clock.GetElapsedTime(_started, Status == MonitorStatus.Running ? clock.GetTimestamp() : _ended);

    /// <summary>Fraction of all runs done, 0 … 1, from cycles.</summary>
    public double Fraction
    {
        get
        {
            if (Status is MonitorStatus.Succeeded)
            {
                return 1;
            }

            var count = Math.Max(Runs.Count, _runCount);
            return count == 0 ? 0 : Runs.Sum(r => r.Fraction) / count;
        }
    }

    private int _runCount;

    /// <summary>Remaining time extrapolated from the fraction done so far; null until 2 % is done or when not running.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            var f = Fraction;
            return Status != MonitorStatus.Running || f < 0.02 ? null : TimeSpan.FromSeconds(Elapsed.TotalSeconds * (1 - f) / f);
        }
    }

    /// <summary>True while a run is going.</summary>
    public bool IsRunning => Status == MonitorStatus.Running;

    /// <summary>
    /// Starts <paramref name="run"/> on a worker thread with a writer whose lines become log lines and a progress sink whose
    /// reports update the runs (and log the ones that end a run or carry no run); returns the task that completes when the run
    /// ended and the model was updated.
    /// </summary>
    public Task Start(string workflow, string? outputDirectory, Func<TextWriter, IProgress<ProgressReport>, CancellationToken, RunOutcome> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (IsRunning)
        {
            throw new InvalidOperationException("a run is already going; cancel it first");
        }

        Runs.Clear();
        Log.Clear();
        _runCount = 0;
        Outcome = null;
        Workflow = workflow;
        OutputDirectory = outputDirectory;
        CurrentStep = "";
        Status = MonitorStatus.Running;
        _started = clock.GetTimestamp();
        var cts = new CancellationTokenSource();
        _cancellation = cts;
        var inbox = new Inbox(this);
        var writer = new LineWriter(inbox.Post);
        Changed?.Invoke();
        return Task.Run(() =>
        {
            RunOutcome? outcome = null;
            Exception? error = null;
            try
            {
                outcome = run(writer, inbox, cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                // The runner maps plugin failures itself; anything reaching here is shown, never allowed to kill the UI.
                error = e;
            }

            var done = new TaskCompletionSource();
            _dispatch(() =>
            {
                inbox.Drain(raiseChanged: false);
                Finish(outcome, error, cts.IsCancellationRequested);
                done.SetResult();
            });
            return done.Task;
        });
    }

    /// <summary>Asks the running workflow to stop; finished runs are kept.</summary>
    public void Cancel()
    {
        if (IsRunning && _cancellation is { IsCancellationRequested: false } c)
        {
            c.Cancel();
            AddLog("cancelling… (finished runs are kept)");
            Changed?.Invoke();
        }
    }

    /// <summary>True for the reports worth a log line: a run's end, or a step's message without a run.</summary>
    private static bool IsLogged(ProgressReport report) =>
        report.State is RunState.Finished or RunState.Kept or RunState.Rejected or RunState.Failed or RunState.Cancelled || report.Run is null;

    /// <summary>Applies one progress report (on the UI thread).</summary>
    public void Apply(ProgressReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        CurrentStep = report.Step;
        if (report.RunCount is { } n)
        {
            _runCount = Math.Max(_runCount, n);
            while (Runs.Count < n)
            {
                Runs.Add(new RunRow { Index = Runs.Count });
            }
        }

        if (report.Run is not { } index || index < 0)
        {
            return;
        }

        while (Runs.Count <= index)
        {
            Runs.Add(new RunRow { Index = Runs.Count });
        }

        var row = Runs[index];
        if (report.Cycle is { } cycle)
        {
            row.Cycle = cycle;
        }

        row.CycleCount = report.CycleCount ?? row.CycleCount;
        row.Llk = report.Llk ?? row.Llk;
        row.FreeLlk = report.FreeLlk ?? row.FreeLlk;
        row.SupportSize = report.SupportSize ?? row.SupportSize;
        if (report.State is { } state)
        {
            row.State = state;
        }
        else if (report.Cycle is not null && !row.IsFinished)
        {
            row.State = RunState.Running;
        }

        if (report is { Cycle: { } c, Llk: { } llk } && double.IsFinite(llk) && (row.History.Count == 0 || row.History[^1].Cycle < c))
        {
            row.History.Add((c, llk));
        }
    }

    private void Finish(RunOutcome? outcome, Exception? error, bool cancelled)
    {
        _ended = clock.GetTimestamp();
        Outcome = outcome;
        Status = outcome?.ExitCode switch
        {
            0 => MonitorStatus.Succeeded,
            WorkflowRunner.CancelledExitCode => MonitorStatus.Cancelled,
            null when cancelled => MonitorStatus.Cancelled,
            _ => MonitorStatus.Failed,
        };
        if (outcome?.Result is ReconstructionSet set)
        {
            foreach (var r in set.Runs)
            {
                while (Runs.Count <= r.Index)
                {
                    Runs.Add(new RunRow { Index = Runs.Count });
                }

                var row = Runs[r.Index];
                row.State = r.State;
                row.Llk = r.Llk;
                row.FreeLlk = r.FreeLlk;
                row.SupportSize = r.SupportSize;
                if (r.History.Count > 0)
                {
                    row.History.Clear();
                    row.History.AddRange(r.History.Where(s => double.IsFinite(s.Llk)).Select(s => (s.Cycle, s.Llk)));
                    row.Cycle = r.History[^1].Cycle;
                    row.CycleCount ??= row.Cycle;
                }
            }
        }

        if (Status == MonitorStatus.Cancelled)
        {
            foreach (var row in Runs.Where(r => !r.IsFinished))
            {
                row.State = RunState.Cancelled;
            }
        }

        if (error is not null)
        {
            AddLog($"error: {error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")}");
        }

        AddLog(string.Create(CultureInfo.InvariantCulture, $"{Workflow}: {Status.ToString().ToLowerInvariant()} after {Elapsed.TotalSeconds:F1} s"));
        _cancellation?.Dispose();
        _cancellation = null;
        Changed?.Invoke();
    }

    /// <summary>
    /// What the worker threads hand over — progress reports and output lines — queued in arrival order; the first item of a
    /// batch schedules one dispatch that applies the whole batch and raises <see cref="Changed"/> once.
    /// </summary>
    private sealed class Inbox(RunMonitorModel model) : IProgress<ProgressReport>
    {
        private readonly Lock _lock = new();
        private List<object> _pending = [];
        private bool _scheduled;

        public void Report(ProgressReport value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Enqueue(value);
        }

        public void Post(string line) => Enqueue(line);

        private void Enqueue(object item)
        {
            lock (_lock)
            {
                _pending.Add(item);
                if (_scheduled)
                {
                    return;
                }

                _scheduled = true;
            }

            model._dispatch(() => Drain(raiseChanged: true));
        }

        /// <summary>Applies everything queued so far (on the UI thread).</summary>
        public void Drain(bool raiseChanged)
        {
            List<object> batch;
            lock (_lock)
            {
                batch = _pending;
                _pending = [];
                _scheduled = false;
            }

            if (batch.Count == 0)
            {
                return;
            }

            foreach (var item in batch)
            {
                if (item is ProgressReport report)
                {
                    model.Apply(report);
                    if (IsLogged(report))
                    {
                        model.AddLog(ConsoleProgress.Format(report));
                    }
                }
                else
                {
                    model.AddLog((string)item);
                }
            }

            if (raiseChanged)
            {
                model.Changed?.Invoke();
            }
        }
    }

    private void AddLog(string line)
    {
        Log.Add(line);
        if (Log.Count > MaxLogLines)
        {
            Log.RemoveRange(0, Log.Count - MaxLogLines);
        }
    }

    /// <summary>"1:05" or "1:02:03".</summary>
    public static string FormatTime(TimeSpan? t) => t is not { } v ? "–"
        : v.TotalHours >= 1 ? v.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : v.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
