using Cxdi.Plugins.Preprocessing.Corrections;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Tests;

public sealed class CorrectionTests
{
    [Fact]
    public void Dark_SeriesAveragedAndSubtracted_UnknownDarkPixelsFlagged()
    {
        // Dark series of 2 frames: mean (1, 3, ·) with pixel 2 unknown in both.
        var dark = new DiffractionData(Shape.Of(2, 1, 3), [0f, 2, 9, 2, 4, 9], [0, 0, 1, 0, 0, 1]);
        var context = TestResolver.Context(new Dictionary<string, IDataReader> { ["esrf.edf"] = new MemoryReader(dark) });
        var data = new DiffractionData(Shape.Of(2, 1, 3), [10f, 2, 5, 20, 3, 5]);
        new DarkStep().Apply(data, new DarkOptions { Path = "dark.edf", Scale = 1 }, context);
        Assert.Equal([9f, -1, 5, 19, 0, 5], data.Intensity);
        Assert.Equal([0u, 0u, (uint)MaskFlags.Invalid, 0u, 0u, (uint)MaskFlags.Invalid], data.Mask);
        Assert.Equal(1L, ((Dictionary<string, object>)data.Findings["cxdi.dark"])["negative_pixels"]);

        var constant = new DiffractionData(Shape.Of(1, 2), [5f, 6]);
        new DarkStep().Apply(constant, new DarkOptions { Value = 2, Scale = 0.5 }, StepContext.None);
        Assert.Equal([4f, 5], constant.Intensity);
    }

    [Fact]
    public void Flat_NormalisedToMeanOne_WeakPixelsDead()
    {
        // Flat (2, 2, 2, 0.1): valid mean = 6.1/4 = 1.525; responses 1.311, 1.311, 1.311, 0.0656 (< 0.1: dead).
        var data = new DiffractionData(Shape.Of(1, 4), [10f, 20, 30, 40]);
        var dead = FlatFieldStep.Divide(data, [2f, 2, 2, 0.1f], null, 0.1);
        Assert.Equal(1, dead);
        Assert.Equal(10 / (2 / 1.525), data.Intensity[0], 4);
        Assert.Equal(30 / (2 / 1.525), data.Intensity[2], 3);
        Assert.Equal(40f, data.Intensity[3]);
        Assert.Equal((uint)MaskFlags.Dead, data.Mask[3]);
    }

    [Fact]
    public void Background_Radial_MedianPerRing()
    {
        // 1×7 row, centre x = 3: rings r = 0 (x=3), 1 (x=2,4), 2 (x=1,5), 3 (x=0,6).
        var bg = new DiffractionData(Shape.Of(1, 7), [7f, 1, 4, 100, 6, 3, 9]) { Geometry = new Geometry { BeamCenterX = 3, BeamCenterY = 0 } };
        var profile = BackgroundStep.RadialProfile(bg, 1, RingStatistic.Median);
        Assert.Equal([8f, 2, 5, 100, 5, 2, 8], profile);
        var mean = BackgroundStep.RadialProfile(bg, 1, RingStatistic.Mean);
        Assert.Equal(5f, mean[2]);

        var data = new DiffractionData(Shape.Of(1, 7), [10f, 10, 10, 10, 10, 10, 10]) { Geometry = bg.Geometry };
        var context = TestResolver.Context(new Dictionary<string, IDataReader> { ["tiff"] = new MemoryReader(bg) });
        new BackgroundStep().Apply(data, new BackgroundOptions { Mode = BackgroundMode.Radial, Path = "bg.tif" }, context);
        Assert.Equal([2f, 8, 5, -90, 5, 8, 2], data.Intensity);

        var constant = new DiffractionData(Shape.Of(1, 2), [5f, 1]);
        new BackgroundStep().Apply(constant, new BackgroundOptions { Value = 2 }, StepContext.None);
        Assert.Equal([3f, -1], constant.Intensity);
    }

    [Fact]
    public void FrameSum_AnyAndAll()
    {
        // 3 frames of 2 pixels; pixel 1 unknown in frame 0.
        var series = new DiffractionData(Shape.Of(3, 1, 2), [1f, 100, 2, 4, 3, 8], [0, (uint)MaskFlags.Hot, 0, 0, 0, 0]);
        var step = new FrameSumStep();
        Assert.Equal(Shape.Of(1, 2), step.Plan(series.Spec, new FrameSumOptions()).Shape);
        var any = step.Apply(series.Clone(), new FrameSumOptions(), StepContext.None);
        Assert.Equal([6f, 18], any.Intensity); // the unknown pixel keeps its known frames rescaled: (4 + 8)·3/2
        Assert.Equal([0u, (uint)MaskFlags.Hot], any.Mask);
        var all = step.Apply(series.Clone(), new FrameSumOptions { Combine = MaskCombine.All, Mean = true }, StepContext.None);
        Assert.Equal([2f, 6], all.Intensity); // (4 + 8)·3/2 / 3 = 6
        Assert.Equal([0u, 0u], all.Mask);
        Assert.Throws<WorkflowShapeException>(() => step.Plan(new DataSpec(DataSpace.Detector, Shape.Of(4, 4), false), new FrameSumOptions()));
    }

    [Fact]
    public void Normalize_ByListAndByMetadataKey()
    {
        var data = new DiffractionData(Shape.Of(2, 1, 2), [10f, 20, 10, 20]);
        new NormalizeStep().Apply(data, new NormalizeOptions { Monitor = [1, 3] }, StepContext.None);
        // Reference = mean = 2: factors 2 and 2/3.
        Assert.Equal([20.0, 40, 20.0 / 3, 40.0 / 3], data.Intensity.Select(v => Math.Round(v, 4)).ToArray(), (a, b) => Math.Abs(a - b) < 1e-4);

        var keyed = new DiffractionData(Shape.Of(2, 1, 1), [10f, 10]);
        keyed.Metadata["mon"] = "100, 50";
        new NormalizeStep().Apply(keyed, new NormalizeOptions { MonitorKey = "mon", Reference = 100 }, StepContext.None);
        Assert.Equal([10f, 20], keyed.Intensity);
        Assert.Throws<WorkflowShapeException>(() => new NormalizeStep().Apply(keyed, new NormalizeOptions { MonitorKey = "missing" }, StepContext.None));
        Assert.NotEmpty(new NormalizeOptions().Validate());
    }

    [Fact]
    public void Sanitize_NaNFlagged_NegativePolicies()
    {
        var data = new DiffractionData(Shape.Of(1, 5), [float.NaN, -0.5f, -5, 3, float.PositiveInfinity]);
        new SanitizeStep().Apply(data, new SanitizeOptions { Negative = NegativePolicy.Flag, Tolerance = 1 }, StepContext.None);
        Assert.Equal([0f, 0, -5, 3, 0], data.Intensity);
        Assert.Equal([(uint)MaskFlags.Invalid, 0u, (uint)MaskFlags.Invalid, 0u, (uint)MaskFlags.Invalid], data.Mask);
        var f = (Dictionary<string, object>)data.Findings["cxdi.sanitize"];
        Assert.Equal(2L, f["nonfinite_pixels"]);
        Assert.Equal(1L, f["negative_flagged"]);
        Assert.Equal(1L, f["negative_clipped"]);

        var clip = new DiffractionData(Shape.Of(1, 2), [-3f, 1]);
        new SanitizeStep().Apply(clip, new SanitizeOptions { Negative = NegativePolicy.Clip }, StepContext.None);
        Assert.Equal([0f, 1], clip.Intensity);
        Assert.Equal([0u, 0u], clip.Mask);
    }
}
