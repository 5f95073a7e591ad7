using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Tests;

public sealed class RunnerTests
{
    private static DiffractionData Small()
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        return Simulator.Simulate(new SimulateOptions { Size = 64, Oversampling = 4, Photons = 1e8, Seed = 5 }, backend);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    public void HundredCycles_OfFftPairsAndEveryKernel_AllocateNothing(bool managed, int threads)
    {
        using var backend = new CpuComputeBackend(managed ? Cxdi.Plugins.Phasing.Fft.FftPreference.Managed : Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, threads);
        var shape = Shape.Of(512, 512); // large enough for every parallel path (FFT scaling from 2^18 values)
        using var state = new PhasingState(backend, shape);
        backend.Upload(Enumerable.Repeat(1f, (int)shape.Length).ToArray(), state.ObservedAmplitude);
        backend.Upload(Cxdi.Plugins.Phasing.Support.ArrayTools.Disc(shape, 80), state.Support);
        backend.Upload(Enumerable.Range(0, (int)shape.Length).Select(i => new Complex32(i % 7, 1)).ToArray(), state.Object);
        using var plan = backend.CreateFftPlan(shape);
        void Cycle()
        {
            backend.Fft(plan, state.Object, FftDirection.Forward);
            backend.ProjectModulus(state.Object, state.ObservedAmplitude, state.PixelClasses, project: true, metrics: true);
            backend.Fft(plan, state.Object, FftDirection.Inverse);
            backend.UpdateObject(state.Object, state.Previous, state.Support, new ErRule(true, false));
            backend.UpdateObject(state.Object, state.Previous, state.Support, new HioRule(0.9f, true, false));
            backend.UpdateObject(state.Object, state.Previous, state.Support, new HioRule(0.9f, false, false));
            backend.UpdateObject(state.Object, state.Previous, state.Support, new RaarRule(0.75f, true, false));
            backend.UpdateObject(state.Object, state.Previous, state.Support, new DmRule(true, false));
            backend.UpdateObject(state.Object, state.Previous, state.Support, new CfRule(true));

            backend.Abs(state.Object, state.Scratch);
            backend.GaussianBlur(state.Scratch, 1.5f);
            backend.Threshold(state.Scratch, 0.5f * backend.Max(state.Scratch), state.Support);
            backend.SumOfSquares(state.Scratch, state.Support);
            backend.Energy(state.Object, state.Support);
            backend.Copy(state.Object, state.Previous);
            backend.Scale(state.Object, 1.0f);
        }

        for (var warm = 0; warm < 10; warm++)
        {
            Cycle();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Cycle();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{allocated} bytes allocated by 100 cycles of FFT pairs and every kernel");
    }

    private static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(false);

    [Fact]
    public void Plan_ArrayTooSmallToPhase_IsRefusedInTheDryRun()
    {
        IPhaser phaser = new PhasePlugin();
        var e = Assert.Throws<WorkflowShapeException>(() => phaser.Plan(new DataSpec(DataSpace.Detector, Shape.Of(6, 64), false), new PhaseOptions()));
        Assert.Contains("at least 8 pixels along every axis, its input is 6x64", e.Message, StringComparison.Ordinal);
        Assert.Throws<WorkflowShapeException>(() => phaser.Plan(new DataSpec(DataSpace.Detector, Shape.Of(3, 64, 64), false), new PhaseOptions()));
        Assert.Equal(new DataSpec(DataSpace.Object, Shape.Of(8, 8), true), phaser.Plan(new DataSpec(DataSpace.Detector, Shape.Of(8, 8), false), new PhaseOptions()));
    }

    [Fact]
    public void Plan_RefusesRunsThatCannotFitInMemory()
    {
        var shape = Shape.Of(4096, 4096, 4096);
        Assert.Throws<InsufficientMemoryForRunException>(() => PhasePlugin.MaxLanes(shape, new PhaseOptions { Runs = 2, Keep = 1 }, 2, Available));
        Assert.Throws<InsufficientMemoryForRunException>(() => PhasePlugin.MaxLanes(Shape.Of(1024, 1024, 1024), new PhaseOptions { Runs = 2, Keep = 1, ParallelRuns = 2 }, 2, Available));
        Assert.Equal(2, PhasePlugin.MaxLanes(Shape.Of(256, 256), new PhaseOptions { Runs = 10 }, 2, Available));
        Assert.Equal(1, PhasePlugin.MaxLanes(Shape.Of(256, 256), new PhaseOptions { Runs = 1 }, 2, Available));
        Assert.Equal(2, PhasePlugin.MaxLanes(Shape.Of(128, 128, 128), new PhaseOptions { Runs = 10 }, 2, Available));
    }

    [Fact]
    public void Parallelism_IsMeasuredOnlyWhenThereIsAChoice_AndRemembered()
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 2);
        var data = Small();
        var shape = data.Shape;
        var prepared = PreparedData.Create(data, 0.05, 1);
        using var observations = Observations.Upload(backend, prepared);
        var support = Cxdi.Plugins.Phasing.Support.ArrayTools.Disc(shape, 12);
        var none = ParallelismProbe.Choose(backend, shape, 2, 1, observations, support);
        Assert.Equal(1, none.Lanes);
        Assert.Equal(0, none.SingleRate);

        var first = ParallelismProbe.Choose(backend, shape, 2, 2, observations, support);
        Assert.True(first.SingleRate > 0 && first.ParallelRate > 0, first.Describe());
        Assert.Equal(first.ParallelRate > 1.05 * first.SingleRate ? 2 : 1, first.Lanes);
        Assert.Same(first, ParallelismProbe.Choose(backend, shape, 2, 2, observations, support));
    }

    [Fact]
    public void FinishedRuns_AreWrittenAtOnce_AndReportProgress()
    {
        var sink = new RecordingSink();
        var progress = new RecordingProgress();
        var context = new StepContext { Output = sink, Progress = progress, StepId = "phase" };
        var set = new PhasePlugin().Reconstruct(Small(), new PhaseOptions { Operators = "ER**20 * HIO**20", Runs = 3, Keep = 2, ProgressEvery = 10, Threads = 1, Generations = 1 }, context);
        Assert.Equal(["run_00", "run_01", "run_02"], sink.Names.Order());
        Assert.All(set.Runs, r => Assert.Equal([$"/virtual/run_{r.Index:D2}.file"], r.Files));
        Assert.All(sink.Items, i => Assert.Single(Assert.IsType<ReconstructionSet>(i).Runs));
        Assert.Contains(progress.Reports, p => p.Cycle == 40 && p.Llk is not null && p.Run is not null && p.State == RunState.Running);
        Assert.Equal(3, progress.Reports.Count(p => p.State == RunState.Finished && p.FreeLlk is not null));
        Assert.All(set.Runs, r => Assert.Contains(progress.Reports, p => p.Run == r.Index && p.State == r.State && r.State is RunState.Kept or RunState.Rejected));
        Assert.Contains("cpu", set.Backend, StringComparison.Ordinal);
        Assert.Equal(2, set.Runs.Count(r => r.State == RunState.Kept));
        Assert.Contains(set.Runs, r => r.State == RunState.Rejected && r.Reason!.Contains("rank", StringComparison.Ordinal));
    }

    [Fact]
    public void Cancellation_StopsBetweenBlocks()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var context = new StepContext { Cancellation = cancel.Token };
        Assert.ThrowsAny<OperationCanceledException>(() => new PhasePlugin().Reconstruct(Small(), new PhaseOptions { Operators = "HIO**40", Runs = 2, Keep = 1 }, context));
    }

    [Fact]
    public void BadOperatorString_IsAnOptionProblem_AndAParseError()
    {
        var options = new PhaseOptions { Operators = "ER**10 * (HIO**5" };
        Assert.Contains(options.Validate(), p => p.Key == nameof(PhaseOptions.Operators) && p.Message.Contains("position 17", StringComparison.Ordinal));
        Assert.Throws<OperatorSyntaxException>(() => new PhasePlugin().Reconstruct(Small(), options, StepContext.None));
    }

    [Fact]
    public void SupportGuard_RetriesWithAnAdjustedThreshold_AndRecordsIt()
    {
        var set = new PhasePlugin().Reconstruct(Small(), new PhaseOptions
        {
            Operators = "ER**10 * Sup * ER**10 * HIO**20",
            Runs = 1,
            Keep = 1,
            SupportThreshold = 0.0005,
            SupportThresholdReference = SupportThresholdReference.Max,
            SupportMaxFraction = 0.15, // the first update grows the autocorrelation start (7 % of the array) to 18 %
            SupportRetries = 20,
            Generations = 1,
            AutocorrelationThreshold = 0.1,
            SupportSigmaStart = 2,
            SupportSigmaEnd = 0.5,
        }, StepContext.None);
        var run = set.Runs[0];
        Assert.Equal(RunState.Kept, run.State);
        Assert.Contains("support grew", run.Reason, StringComparison.Ordinal);
    }

    private sealed class RecordingSink : IOutputSink
    {
        public List<string> Names { get; } = [];

        public List<DataItem> Items { get; } = [];

        public IReadOnlyList<string> Write(DataItem item, string name)
        {
            lock (Names)
            {
                Names.Add(name);
                Items.Add(item);
            }

            return [$"/virtual/{name}.file"];
        }
    }

    private sealed class RecordingProgress : IProgress<ProgressReport>
    {
        public List<ProgressReport> Reports { get; } = [];

        public void Report(ProgressReport value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }
}
