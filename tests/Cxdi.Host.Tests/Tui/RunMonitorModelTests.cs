using System.Collections.Concurrent;
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
    public async Task Start_ProgressObjects_ShowEveryRunsCycleLlkFreeLlkSupportAndState_AtFullPrecision()
    {
        var model = Model(TimeProvider.System);
        var inRun = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        var task = model.Start("w", null, (writer, progress, _) =>
        {
            writer.WriteLine("[input] test.gen read 16x16");
            progress.Report(new ProgressReport("mask", "thresholding") { Fraction = 0.5 });
            progress.Report(new ProgressReport("phase", "run 0: cycle 50/200") { Run = 0, RunCount = 3, Cycle = 50, CycleCount = 200, Llk = 1.234567891, FreeLlk = 1.3012345678, SupportSize = 1234, State = RunState.Running });
            progress.Report(new ProgressReport("phase", "run 0: cycle 100/200") { Run = 0, RunCount = 3, Cycle = 100, CycleCount = 200, Llk = 0.987654321, FreeLlk = 1.1, SupportSize = 1200, State = RunState.Running });
            progress.Report(new ProgressReport("phase", "run 1: cycle 200/200") { Run = 1, RunCount = 3, Cycle = 200, CycleCount = 200, Llk = 0.5, FreeLlk = 0.6, SupportSize = 1000, State = RunState.Running });
            progress.Report(new ProgressReport("phase", "run 1: finished") { Run = 1, RunCount = 3, Llk = 0.47082, FreeLlk = 0.52874, SupportSize = 416, State = RunState.Kept });
            progress.Report(new ProgressReport("phase", "run 2: failed: support too small") { Run = 2, RunCount = 3, State = RunState.Failed });
            writer.WriteLine("[phase] cxdi.phase done in 1.00 s");
            inRun.Set();
            release.Wait(TimeSpan.FromSeconds(10));
            return new RunOutcome(0, null!, null);
        });
        Assert.True(inRun.Wait(TimeSpan.FromSeconds(10)));

        // while the run is still going: every run's row as the monitor shows it
        Assert.Equal(MonitorStatus.Running, model.Status);
        Assert.Equal("phase", model.CurrentStep);
        Assert.Equal(3, model.Runs.Count);
        var running = model.Runs[0];
        Assert.Equal((100, (int?)200, RunState.Running), (running.Cycle, running.CycleCount, running.State));
        Assert.Equal((0.987654321, 1.1, 1200L), (running.Llk, running.FreeLlk, running.SupportSize));
        Assert.Equal([(50, 1.234567891), (100, 0.987654321)], running.History);
        Assert.Equal(0.5, running.Fraction);
        var kept = model.Runs[1];
        Assert.Equal((200, RunState.Kept, 0.47082, 0.52874, 416L), (kept.Cycle, kept.State, kept.Llk, kept.FreeLlk, kept.SupportSize));
        Assert.Equal([(200, 0.5)], kept.History);
        Assert.Equal((RunState.Failed, 1.0), (model.Runs[2].State, model.Runs[2].Fraction));
        Assert.Equal(2.5 / 3, model.Fraction, 6);

        // the log keeps the runner's lines and the reports that end a run or carry no run, in the order they came
        Assert.Equal(
        [
            "[input] test.gen read 16x16",
            "[mask] 50%: thresholding",
            "[phase] run 01 of 3 LLK 0.47082 free LLK 0.52874 support 416 (kept): run 1: finished",
            "[phase] run 02 of 3 (failed): run 2: failed: support too small",
            "[phase] cxdi.phase done in 1.00 s",
        ], model.Log);

        release.Set();
        await task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MonitorStatus.Succeeded, model.Status);
    }

    [Fact]
    public async Task Start_ManyReportsAtOnce_AreAppliedInOneDispatchWithOneChange()
    {
        // a UI loop the test pumps by hand: nothing is applied until it runs the queued actions
        var loop = new ConcurrentQueue<Action>();
        var model = new RunMonitorModel(loop.Enqueue, TimeProvider.System);
        var changes = 0;
        model.Changed += () => changes++;
        const int Cycles = 1000;
        var task = model.Start("w", null, (_, progress, _) =>
        {
            for (var c = 1; c <= Cycles; c++)
            {
                for (var run = 0; run < 2; run++)
                {
                    progress.Report(new ProgressReport("phase", "") { Run = run, RunCount = 2, Cycle = c, CycleCount = Cycles, Llk = 1.0 / c, FreeLlk = 2.0 / c, SupportSize = 5000 - c });
                }
            }

            return new RunOutcome(0, null!, null);
        });

        // 2000 reports, then the end of the run: two dispatches in all
        Assert.True(SpinWait.SpinUntil(() => loop.Count == 2, TimeSpan.FromSeconds(10)));
        Assert.Equal(2, loop.Count);
        Assert.Empty(model.Runs);
        changes = 0;
        while (loop.TryDequeue(out var action))
        {
            action();
        }

        await task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, changes); // one for the batch, one for the end
        Assert.All(model.Runs, r =>
        {
            Assert.Equal(Cycles, r.History.Count);
            Assert.Equal((Cycles, 1.0 / Cycles, 2.0 / Cycles, 5000L - Cycles), (r.Cycle, r.Llk, r.FreeLlk, r.SupportSize));
        });
        Assert.Equal(MonitorStatus.Succeeded, model.Status);
    }

    [Fact]
    public async Task Remaining_ExtrapolatesTheElapsedTimeFromTheFractionDone()
    {
        var clock = new ManualClock();
        var model = Model(clock);
        var release = new ManualResetEventSlim();
        var task = model.Start("w", null, (_, progress, _) =>
        {
            progress.Report(new ProgressReport("phase", "") { Run = 0, RunCount = 2, Cycle = 50, CycleCount = 100, Llk = 1 });
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
        await model.Start(info.Name, info.Plan!.OutputDirectory, (w, p, t) => fx.Session.Run(info.Plan, w, p, t)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MonitorStatus.Succeeded, model.Status);
        Assert.Equal(4, model.Runs.Count);
        Assert.Equal([RunState.Kept, RunState.Rejected, RunState.Rejected, RunState.Rejected], model.Runs.Select(r => r.State));
        Assert.Equal([0.5, 1.5, 2.5, 3.5], model.Runs.Select(r => r.Llk!.Value));
        Assert.Equal(1, model.Fraction);
        Assert.True(changes >= 4);
        Assert.Contains(model.Log, l => l.Contains("quickstart: succeeded", StringComparison.Ordinal));
        Assert.Equal(4, model.Log.Count(l => l.StartsWith("[phase] run ", StringComparison.Ordinal)));
        Assert.Contains("[phase] run 00 of 4 cycle 10/10 LLK 0.5 free LLK 0.75 support 0 (kept): run done", model.Log);
        Assert.True(File.Exists(Path.Combine(model.OutputDirectory!, "summary.json")));
        Assert.IsType<ReconstructionSet>(model.Outcome!.Result);
    }

    [Fact]
    public async Task Cancel_StopsTheRunAndMarksUnfinishedRunsCancelled()
    {
        using var fx = new TuiFixture(runMs: 400);
        var info = fx.Session.Describe(fx.Workflow, []);
        var model = Model(TimeProvider.System);
        var task = model.Start(info.Name, info.Plan!.OutputDirectory, (w, p, t) => fx.Session.Run(info.Plan, w, p, t));
        Assert.True(SpinWait.SpinUntil(() => model.Runs.Any(r => r.IsFinished), TimeSpan.FromSeconds(20)));
        // live, from the phaser's report object (the result set only arrives when the run ends)
        Assert.Equal((RunState.Kept, 0.5, 0.75, 0L), (model.Runs[0].State, model.Runs[0].Llk, model.Runs[0].FreeLlk, model.Runs[0].SupportSize));
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
        var task = model.Start("w", null, (_, _, _) =>
        {
            release.Wait(TimeSpan.FromSeconds(10));
            return new RunOutcome(1, null!, null);
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            _ = model.Start("w", null, (_, _, _) => new RunOutcome(0, null!, null));
        });
        release.Set();
        await task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MonitorStatus.Failed, model.Status);
    }
}
