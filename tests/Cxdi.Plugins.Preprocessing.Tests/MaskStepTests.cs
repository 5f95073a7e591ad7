using Cxdi.Plugins.Preprocessing.Masks;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Preprocessing.Tests;

public sealed class MaskStepTests
{
    private static DiffractionData Ramp(int ny, int nx)
    {
        var d = new float[ny * nx];
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = i;
        }

        return new DiffractionData(Shape.Of(ny, nx), d);
    }

    [Fact]
    public void Flip_Y_ReversesRowsMaskAndBeamCentre()
    {
        var data = Ramp(3, 4);
        data.Mask[1] = (uint)MaskFlags.Hot;
        data.Geometry = new Geometry { BeamCenterX = 1, BeamCenterY = 0.5 };
        new FlipStep().Apply(data, new FlipOptions { Axis = ArrayAxis.Y }, StepContext.None);
        Assert.Equal([8f, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3], data.Intensity);
        Assert.Equal((uint)MaskFlags.Hot, data.Mask[9]);
        Assert.Equal(0u, data.Mask[1]);
        Assert.Equal(1.5, data.Geometry.BeamCenterY);
        Assert.Equal(1, data.Geometry.BeamCenterX);
    }

    [Fact]
    public void Flip_X_ReversesColumns()
    {
        var data = Ramp(2, 3);
        data.Geometry = new Geometry { BeamCenterX = 0 };
        new FlipStep().Apply(data, new FlipOptions { Axis = ArrayAxis.X }, StepContext.None);
        Assert.Equal([2f, 1, 0, 5, 4, 3], data.Intensity);
        Assert.Equal(2, data.Geometry.BeamCenterX);
    }

    [Fact]
    public void Flip_UnknownCentre_IsRecordedWhereTheArrayCentreWent()
    {
        var data = Ramp(4, 6);
        new FlipStep().Apply(data, new FlipOptions { Axis = ArrayAxis.Y }, StepContext.None);
        Assert.Equal(1, data.Geometry.BeamCenterY); // N/2 = 2 → 4 − 1 − 2
        Assert.Equal(3, data.Geometry.BeamCenterX);
    }

    [Fact]
    public void Flip_Z_ReversesFramesAndAngles()
    {
        var d = new float[] { 1, 1, 2, 2, 3, 3 };
        var data = new DiffractionData(Shape.Of(3, 1, 2), d) { Geometry = new Geometry { TiltAngles = [0.1, 0.2, 0.3] } };
        new FlipStep().Apply(data, new FlipOptions { Axis = ArrayAxis.Z }, StepContext.None);
        Assert.Equal([3f, 3, 2, 2, 1, 1], data.Intensity);
        Assert.Equal([0.3, 0.2, 0.1], data.Geometry.TiltAngles!);
    }

    [Fact]
    public void Flip_ZOn2D_IsRejectedAtPlan()
    {
        var step = new FlipStep();
        var ex = Assert.Throws<WorkflowShapeException>(() => step.Plan(new DataSpec(DataSpace.Detector, Shape.Of(4, 4), false), new FlipOptions { Axis = ArrayAxis.Z }));
        Assert.Contains("axis: z", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaskZeros_FlagsCentreAndEdgesOnly()
    {
        // 20x20 of ones; zeros at the centre (10,10), at (10,13) (3 px from centre), at an edge (0,5) and mid-way (4,4).
        var data = new DiffractionData(Shape.Of(20, 20), Enumerable.Repeat(1f, 400).ToArray());
        data.Intensity[(10 * 20) + 10] = 0;
        data.Intensity[(10 * 20) + 13] = 0;
        data.Intensity[5] = 0;
        data.Intensity[(4 * 20) + 4] = 0;
        data.Intensity[(19 * 20) + 19] = 0.4f;
        new ZeroMaskStep().Apply(data, new ZeroMaskOptions { CenterRadius = 3, EdgeWidth = 2, Value = 0 }, StepContext.None);
        Assert.Equal((uint)MaskFlags.Beamstop, data.Mask[(10 * 20) + 10]);
        Assert.Equal((uint)MaskFlags.Beamstop, data.Mask[(10 * 20) + 13]);
        Assert.Equal((uint)MaskFlags.Invalid, data.Mask[5]);
        Assert.Equal(0u, data.Mask[(4 * 20) + 4]);
        Assert.Equal(0u, data.Mask[(19 * 20) + 19]);
        Assert.Equal(0f, data.Intensity[(10 * 20) + 10]);
        var f = (Dictionary<string, object>)data.Findings["cxdi.mask.zeros"];
        Assert.Equal(2L, f["beamstop_pixels"]);
        Assert.Equal(1L, f["edge_pixels"]);
    }

    [Fact]
    public void MaskZeros_UsesBeamCentreAndValue()
    {
        var data = new DiffractionData(Shape.Of(20, 20), Enumerable.Repeat(1f, 400).ToArray()) { Geometry = new Geometry { BeamCenterX = 5, BeamCenterY = 5 } };
        data.Intensity[(5 * 20) + 6] = 0.5f;
        data.Intensity[(10 * 20) + 10] = 0;
        new ZeroMaskStep().Apply(data, new ZeroMaskOptions { CenterRadius = 2, EdgeWidth = 0, Value = 0.5 }, StepContext.None);
        Assert.Equal((uint)MaskFlags.Beamstop, data.Mask[(5 * 20) + 6]);
        Assert.Equal(0u, data.Mask[(10 * 20) + 10]);
    }

    [Fact]
    public void MaskThreshold_BelowAndAbove_SetFlagsAndKeepData()
    {
        var data = new DiffractionData(Shape.Of(1, 5), [-1f, 0, 5, 10, 11]);
        new ThresholdMaskStep().Apply(data, new ThresholdMaskOptions { Below = 0, Above = 10, AboveFlag = MaskFlags.Hot }, StepContext.None);
        Assert.Equal([(uint)MaskFlags.Invalid, 0u, 0u, 0u, (uint)MaskFlags.Hot], data.Mask);
        Assert.Equal([-1f, 0, 5, 10, 11], data.Intensity);
        var f = (Dictionary<string, object>)data.Findings["cxdi.mask.threshold"];
        Assert.Equal(1L, f["below_pixels"]);
        Assert.Equal(1L, f["above_pixels"]);
    }

    [Fact]
    public void MaskThreshold_NoThreshold_IsAnOptionProblem()
    {
        var problems = new ThresholdMaskOptions().Validate().ToList();
        Assert.Single(problems);
        Assert.Equal("Below", problems[0].Key);
        Assert.NotEmpty(new ThresholdMaskOptions { Below = 0, BelowFlag = MaskFlags.Support }.Validate());
    }
}
