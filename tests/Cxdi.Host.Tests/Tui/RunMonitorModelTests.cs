using Cxdi.Host.Execution;
using Cxdi.Host.Tui;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Host.Tests.Tui;

public sealed class RunMonitorModelTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;
    }

    private static RunMonitorModel Model(TimeProvider clock)
    {
        var gate = new Lock();
        return new RunMonitorModel(action =>
        {
            lock (gate)
            {
                action();
            }
        }, clock);
    }

    [Fact]
    public void Apply_TracksEachRunsCycleMetricsAndState()
    {
        var model = Model(TimeProvider.System);
        model.Apply(new ProgressReport("phase", "") { Run = 1, RunCount = 3, Cycle = 50, CycleCount = 200, Llk = 12.5, FreeLlk = 13.1, SupportSize = 900 });
        model.Apply(new ProgressReport("phase", "") { Run = 1, RunCount = 3, Cycle = 100, CycleCount = 200, Llk = 3.5 });
        model.Apply(new ProgressReport("phase", "") { Run = 2, RunCount = 3, Llk = 0.9, State = RunState.Rejected });
        Assert.Equal(3, model.Runs.Count);
        Assert.Equal(RunState.Pending, model.Runs[0].State);
        var run = model.Runs[1];
        Assert.Equal((100, 200, RunState.Running), (run.Cycle, run.CycleCount, run.State));
        Assert.Equal((3.5, 13.1, 900L), (run.Llk, run.FreeLlk, run.SupportSize));
        Assert.Equal([(50, 12.5), (100, 3.5)], run.History);
        Assert.Equal(0.5, run.Fraction);
        Assert.Equal(1, model.Runs[2].Fraction);
        Assert.Equal(0.5, model.Fraction, 6);
    }

    [Fact]
    public async Task Remaining_ExtrapolatesTheElapsedTimeFromTheFractionDone()
    {
        var clock = new ManualClock();
        var model = Model(clock);
        var release = new ManualResetEventSlim();
        var task = model.Start("w", null, (writer, token) =>
        {
            writer.WriteLine(ConsoleProgress.Format(new ProgressReport("phase", "") { Run = 0, RunCount = 2, Cycle = 50, CycleCount = 100, Llk = 1 }));
            release.Wait(TimeSpan.FromSeconds(10));
            return new RunOutcome(0, null!, null);
        });
        SpinWait.SpinUntil(() => model.Runs.Count == 2, TimeSpan.FromSeconds(5));
        clock.Ticks = TimeSpan.FromSeconds(30).Ticks;
        Assert.Equal(0.25, model.Fraction, 6);
        Assert.Equal(TimeSpan.FromSeconds(30), model.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(90), model.Remaining);
        release.Set();
        await task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MonitorStatus.Succeeded, model.Status);
        Assert.Null(model.Remaining);
    }

    [Fact]
    public async Task Start_RunsTheWorkflowThroughTheHostRunner_EveryRunEndsKeptOrRejected()
    {
        using var fx = new TuiFixture();
        var info = fx.Session.Describe(fx.Workflow, []);
        Assert.True(info.IsValid, string.Join("; ", info.Problems));
        var model = Model(TimeProvider.System);
        var changes = 0;
        model.Changed += () => changes++;
        await model.Start(info.Name, info.Plan!.OutputDirectory, (w, t) => fx.Session.Run(info.Plan, w, t)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MonitorStatus.Succeeded, model.Status);
        Assert.Equal(4, model.Runs.Count);
        Assert.Equal([RunState.Kept, RunState.Rejected, RunState.Rejected, RunState.Rejected], model.Runs.Select(r => r.State));
        Assert.Equal([0.5, 1.5, 2.5, 3.5], model.Runs.Select(r => r.Llk!.Value));
        Assert.Equal(1, model.Fraction);
        Assert.True(changes >= 4);
        Assert.Contains(model.Log, l => l.Contains("quickstart: succeeded", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(model.OutputDirectory!, "summary.json")));
        Assert.IsType<ReconstructionSet>(model.Outcome!.Result);
    }

    [Fact]
    public async Task Cancel_StopsTheRunAndMarksUnfinishedRunsCancelled()
    {
        using var fx = new TuiFixture(runMs: 400);
        var info = fx.Session.Describe(fx.Workflow, []);
        var model = Model(TimeProvider.System);
        var task = model.Start(info.Name, info.Plan!.OutputDirectory, (w, t) => fx.Session.Run(info.Plan, w, t));
        Assert.True(SpinWait.SpinUntil(() => model.Runs.Any(r => r.IsFinished), TimeSpan.FromSeconds(20)));
        model.Cancel();
        await task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(MonitorStatus.Cancelled, model.Status);
        Assert.Equal(WorkflowRunner.CancelledExitCode, model.Outcome!.ExitCode);
        Assert.Equal(RunState.Kept, model.Runs[0].State);
        Assert.Contains(model.Runs, r => r.State == RunState.Cancelled);
        Assert.DoesNotContain(model.Runs, r => r.State is RunState.Running or RunState.Pending);
    }

    [Fact]
    public async Task Start_WhileRunning_IsRefused()
    {
        var model = Model(TimeProvider.System);
        var release = new ManualResetEventSlim();
        var task = model.Start("w", null, (_, _) =>
        {
            release.Wait(TimeSpan.FromSeconds(10));
            return new RunOutcome(1, null!, null);
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            _ = model.Start("w", null, (_, _) => new RunOutcome(0, null!, null));
        });
        release.Set();
        await task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MonitorStatus.Failed, model.Status);
    }
}
