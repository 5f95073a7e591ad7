using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Time-resolved series: simulated drifting and deforming objects phased frame by frame with warm starts.</summary>
public sealed class SeriesTests(ITestOutputHelper output)
{
    private static readonly SimulateOptions Simulation = new()
    {
        Dims = 2,
        Size = 64,
        Oversampling = 4,
        Photons = 1e8,
        Seed = 7,
        BeamstopRadius = 0.5,
        GapWidth = 1,
        GapOffsets = [9],
        Series = 10,
        Motion = [SeriesMotion.Drift, SeriesMotion.Deform],

        // The motion between two frames of a 200-frame series at motion_scale 1 (the issue's target), over 10 frames.
        MotionScale = 0.05,
    };

    private static readonly SeriesPhaseOptions Phasing = new()
    {
        Operators = "ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100",
        WarmOperators = "ER**20 * (Sup * ER**5 * RAAR**20)**2",
        InitialRuns = 4,
        Seed = 3,
        Threads = 1,
        Backend = "cpu-managed",
    };

    private static readonly Lazy<DiffractionData> Data = new(() =>
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        return Simulator.Simulate(Simulation, backend);
    });

    [Fact]
    public void SimulatedSeries_HasFramesTruthBeamstopAndGaps()
    {
        var data = Data.Value;
        Assert.Equal(Shape.Of(10, 64, 64), data.Shape);
        Assert.Equal(data.Shape.Length, data.GroundTruth!.LongLength);
        Assert.Contains(data.Mask, m => (m & (uint)MaskFlags.Beamstop) != 0);
        Assert.Contains(data.Mask, m => (m & (uint)MaskFlags.Gap) != 0);

        // The object moves: consecutive true frames differ, but by a few per cent only.
        var first = data.GroundTruth.AsSpan(0, 64 * 64).ToArray();
        var second = data.GroundTruth.AsSpan(64 * 64, 64 * 64).ToArray();
        var last = data.GroundTruth.AsSpan(9 * 64 * 64, 64 * 64).ToArray();
        var step = Canonicalizer.RMatch(first, second);
        var total = Canonicalizer.RMatch(first, last);
        output.WriteLine($"truth change: first→second {step:F3}, first→last {total:F3}");
        Assert.InRange(step, 0.005, 0.5);
        Assert.True(total > 2 * step, $"the motion accumulates: {total:F3} vs one step {step:F3}");

        // Each frame holds about the requested photons (minus the masked pixels).
        var photons = data.Intensity.AsSpan(3 * 64 * 64, 64 * 64).ToArray().Sum(v => (double)v);
        Assert.InRange(photons, 0.5e8, 1.0e8);
    }

    [Fact]
    public void DriftAndDeform_MedianErrorToTruthBelow5Percent_WarmFasterThanAbInitio()
    {
        var set = new SeriesPhasePlugin().Reconstruct(Data.Value, Phasing, StepContext.None);
        var findings = (Dictionary<string, object>)set.Findings[SeriesPhasePlugin.FindingsKey];
        var errors = (double[])findings["error_to_truth"];
        var median = (double)findings["median_error_to_truth"];
        output.WriteLine($"errors {string.Join(", ", errors.Select(e => e.ToString("F4")))}; median {median:F4}");
        output.WriteLine($"ab initio {findings["ab_initio_seconds"]} s, warm {findings["warm_seconds_per_frame"]} s/frame, r_match {string.Join(", ", ((double[])findings["r_match_previous"]).Select(e => e.ToString("F3")))}");
        Assert.Equal(Shape.Of(10, 64, 64), set.Shape);
        Assert.Equal(10, set.Runs.Count);
        Assert.Equal(Enumerable.Range(0, 10), set.Runs.Select(r => r.Index));
        Assert.True(median <= 0.05, $"median per-frame error {median:F4} above 0.05");
        Assert.All(set.Runs.Skip(1), r => Assert.NotNull(r.RMatch));
        Assert.All(set.Runs, r => Assert.True(double.IsFinite(r.FreeLlk) && r.SupportSize > 0));

        var abInitio = set.Runs[0].Seconds;
        var warm = set.Runs.Skip(1).Select(r => r.Seconds).OrderBy(s => s).ElementAt(4);
        Assert.True(warm * 3 < abInitio, $"warm frame {warm:F3} s is not much faster than the ab initio frame {abInitio:F3} s");
    }

    [Fact]
    public void RotateAndGrow_MedianErrorToTruthBelow5Percent()
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var data = Simulator.Simulate(Simulation with { Series = 8, Seed = 8, Motion = [SeriesMotion.Rotate, SeriesMotion.Grow] }, backend);
        var set = new SeriesPhasePlugin().Reconstruct(data, Phasing, StepContext.None);
        var findings = (Dictionary<string, object>)set.Findings[SeriesPhasePlugin.FindingsKey];
        var median = (double)findings["median_error_to_truth"];
        output.WriteLine($"errors {string.Join(", ", ((double[])findings["error_to_truth"]).Select(e => e.ToString("F4")))}; median {median:F4}");
        Assert.True(median <= 0.05, $"median per-frame error {median:F4} above 0.05");
    }

    [Fact]
    public void BlocksWithOverlap_GiveTheSameFramesAsOneBlock()
    {
        var whole = new SeriesPhasePlugin().Reconstruct(Data.Value, Phasing with { ErrorToTruth = false }, StepContext.None);
        var first = new SeriesPhasePlugin().Reconstruct(Data.Value, Phasing with { ErrorToTruth = false, BlockStart = 0, BlockCount = 5 }, StepContext.None);
        var second = new SeriesPhasePlugin().Reconstruct(Data.Value, Phasing with { ErrorToTruth = false, BlockStart = 5, BlockCount = 5, Overlap = 3 }, StepContext.None);
        Assert.Equal(Shape.Of(5, 64, 64), second.Shape);
        Assert.Equal(Enumerable.Range(5, 5), second.Runs.Select(r => r.Index));
        var secondFindings = (Dictionary<string, object>)second.Findings[SeriesPhasePlugin.FindingsKey];
        Assert.Equal(2, (int)secondFindings["phased_from"]);
        Assert.Equal(3, (int)secondFindings["overlap_frames"]);

        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var shape = Shape.Of(64, 64);
        var n = 64 * 64;
        var worst = 0.0;
        for (var t = 0; t < 10; t++)
        {
            var a = whole.Average.AsSpan(t * n, n).ToArray();
            var b = t < 5 ? first.Average.AsSpan(t * n, n).ToArray() : second.Average.AsSpan((t - 5) * n, n).ToArray();
            var aligned = Canonicalizer.Align(a, b, shape, backend).Aligned;
            var r = Canonicalizer.RMatch(a, aligned);
            output.WriteLine($"frame {t}: R_match block vs whole {r:F4}");
            worst = Math.Max(worst, r);
        }

        Assert.True(worst <= 0.02, $"a block frame differs from the one-block frame by R_match {worst:F4}");
    }

    [Fact]
    public void SingleFrame_IsAOneLineError()
    {
        var frame = new DiffractionData(Shape.Of(64, 64), new float[64 * 64]);
        var e = Assert.Throws<WorkflowShapeException>(() => new SeriesPhasePlugin().Reconstruct(frame, Phasing, StepContext.None));
        Assert.DoesNotContain('\n', e.OneLine);
        Assert.Contains("stack of 2D frames", e.Message);
        Assert.Contains("64x64", e.Message);
    }

    [Theory]
    [InlineData(10, null, 0, 0, "first_frame 10")]
    [InlineData(2, 9, 0, 0, "frame_count 9")]
    [InlineData(0, null, 10, 0, "block_start 10")]
    [InlineData(0, null, 6, 5, "block_count 5")]
    public void FrameRangeOutOfBounds_IsAOneLineErrorNamingTheOption(int first, int? count, int blockStart, int blockCount, string expected)
    {
        var options = Phasing with { FirstFrame = first, FrameCount = count, BlockStart = blockStart, BlockCount = blockCount };
        var e = Assert.Throws<WorkflowShapeException>(() => new SeriesPhasePlugin().Plan(Data.Value.Spec, options));
        Assert.DoesNotContain('\n', e.OneLine);
        Assert.Contains(expected, e.Message);
        Assert.Throws<WorkflowShapeException>(() => new SeriesPhasePlugin().Reconstruct(Data.Value, options, StepContext.None));
    }

    [Fact]
    public void BenchSeriesRow_ReportsWarmFramesPerSecondAndError()
    {
        var table = new StringWriter();
        var code = new Cxdi.Plugins.Phasing.Bench.BenchTool().Run(new Cxdi.Plugins.Phasing.Bench.BenchOptions { Algorithms = "series", Backends = "managed", SeriesSize = 64, SeriesFrames = 5, Threads = 1, Reps = 1 }, table, StepContext.None);
        output.WriteLine(table.ToString());
        Assert.Equal(0, code);
        var row = Assert.Single(table.ToString().Split('\n'), l => l.StartsWith("5x64x64", StringComparison.Ordinal));
        Assert.Contains("series", row);
        Assert.Contains("frames/s", row);
        Assert.Contains("median error to truth", row);
    }
}
