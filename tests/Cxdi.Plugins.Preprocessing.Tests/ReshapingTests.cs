using Cxdi.Plugins.Preprocessing.Reshaping;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Preprocessing.Tests;

public sealed class ReshapingTests
{
    [Fact]
    public void FftFriendlySizes()
    {
        Assert.Equal(512, CropPadStep.EvenFriendlyBelow(516));
        Assert.Equal(1296, CropPadStep.EvenFriendlyBelow(1296)); // 1296 = 2^4·3^4 is friendly and even
        Assert.Equal(1280, CropPadStep.EvenFriendlyBelow(1295));
        Assert.Equal(1296, CropPadStep.EvenFriendlyAbove(1296));
        Assert.Equal(2058, CropPadStep.EvenFriendlyBelow(2070)); // 2070 = 2·3²·5·23; 2058 = 2·3·7³
        Assert.Equal(2100, CropPadStep.EvenFriendlyAbove(2070)); // 2100 = 2²·3·5²·7
        Assert.Equal(12, CropPadStep.EvenFriendlyAbove(11));
        Assert.Equal(24, CropPadStep.EvenFriendlyAbove(21)); // 22 = 2·11 is not friendly
    }

    [Fact]
    public void Crop_CentredOnBeam_PaddingUnknown()
    {
        // 1×11 row, beam at x = 7: crop to 10 → window x = 2…11, the last (x = 11) outside → unknown.
        var data = new DiffractionData(Shape.Of(1, 11), Enumerable.Range(0, 11).Select(i => (float)i).ToArray()) { Geometry = new Geometry { BeamCenterX = 7, BeamCenterY = 0 } };
        var step = new CropPadStep();
        Assert.Equal(Shape.Of(1, 10), step.Plan(data.Spec, new CropPadOptions()).Shape);
        var output = step.Apply(data, new CropPadOptions(), StepContext.None);
        Assert.Equal(Shape.Of(1, 10), output.Shape);
        Assert.Equal([2f, 3, 4, 5, 6, 7, 8, 9, 10, 0], output.Intensity);
        Assert.Equal((uint)MaskFlags.Invalid, output.Mask[9]);
        Assert.Equal(5, output.Geometry.BeamCenterX);

        var pad = step.Apply(new DiffractionData(Shape.Of(11, 11), new float[121]), new CropPadOptions { Fit = SizeFit.Pad }, StepContext.None);
        Assert.Equal(Shape.Of(12, 12), pad.Shape);
        Assert.Equal(12 + 11, pad.Mask.Count(m => m != 0));
        Assert.Equal(Shape.Of(8, 6), step.Plan(data.Spec with { Shape = Shape.Of(20, 20) }, new CropPadOptions { Size = [8, 6] }).Shape);
    }

    [Fact]
    public void Bin_SumsBlocks_MaskAnyOrAll_PixelSizeUpdated()
    {
        // 2×4 → bin 2: blocks {1,2,5,6} and {3,4,7,8}; pixel 1 (value 2) unknown.
        var data = new DiffractionData(Shape.Of(2, 4), [1f, 2, 3, 4, 5, 6, 7, 8]) { Geometry = new Geometry { PixelSizeX = 55e-6, PixelSizeY = 55e-6, BeamCenterX = 1.5, BeamCenterY = 0.5 } };
        data.Mask[1] = (uint)MaskFlags.Hot;
        var step = new BinStep();
        var any = step.Apply(data.Clone(), new BinOptions(), StepContext.None);
        Assert.Equal(Shape.Of(1, 2), any.Shape);
        Assert.Equal([(1 + 5 + 6) * 4f / 3, 22], any.Intensity);
        Assert.Equal([(uint)MaskFlags.Hot, 0u], any.Mask);
        Assert.Equal(110e-6, any.Geometry.PixelSizeX!.Value, 12);
        Assert.Equal(0.5, any.Geometry.BeamCenterX!.Value, 12);
        Assert.Equal(0.0, any.Geometry.BeamCenterY!.Value, 12);
        var all = step.Apply(data.Clone(), new BinOptions { Combine = Corrections.MaskCombine.All }, StepContext.None);
        Assert.Equal([16f, 22], all.Intensity);
        Assert.Equal([0u, 0u], all.Mask);
        Assert.Equal(Shape.Of(4, 8, 8), step.Plan(new DataSpec(DataSpace.Detector, Shape.Of(4, 16, 16), false), new BinOptions()).Shape);
    }

    [Fact]
    public void Center_MaxAndCentreOfMass_ShiftToHalfN()
    {
        var data = new DiffractionData(Shape.Of(8, 8), new float[64]);
        data.Intensity[(2 * 8) + 5] = 10;
        data.Intensity[(2 * 8) + 6] = 10;
        var max = new CenterStep().Apply(data.Clone(), new CenterOptions { Method = CenterMethod.Max }, StepContext.None);
        Assert.Equal(10f, max.Intensity[(4 * 8) + 4]);
        Assert.Equal(4.0, max.Geometry.BeamCenterX);
        var com = CenterStep.CentreOfMass(data);
        Assert.Equal([0, 2, 5.5], com);
        var shifted = new CenterStep().Apply(data, new CenterOptions { Method = CenterMethod.CenterOfMass }, StepContext.None);
        // Centre 5.5 rounds to 6 → shift by −2 in x, +2 in y; the rows shifted in from outside are unknown.
        Assert.Equal(10f, shifted.Intensity[(4 * 8) + 3]);
        Assert.Equal(3.5, shifted.Geometry.BeamCenterX!.Value, 9);
        Assert.Equal((uint)MaskFlags.Invalid, shifted.Mask[0]);
    }

    [Fact]
    public void Center_Symmetry_FindsSubPixelCentreOfAnOffsetPattern()
    {
        // A pattern centred at (30, 34) in 64×64 (rectangle object → sinc² about that point).
        var centred = Synth.Rectangle(64, 6, 10);
        var data = new DiffractionData(Shape.Of(64, 64), new float[64 * 64]);
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                data.Intensity[(y * 64) + x] = centred.Intensity[(((y + 2) % 64) * 64) + ((x + 62) % 64)];
            }
        }

        var c = CenterStep.Symmetry(data, TestResolver.Context());
        Assert.Equal(30.0, c[1], 0.1);
        Assert.Equal(34.0, c[2], 0.1);
        var output = new CenterStep().Apply(data, new CenterOptions(), TestResolver.Context());
        Assert.Equal(centred.Intensity[(32 * 64) + 32], output.Intensity[(32 * 64) + 32]);
    }

    [Fact]
    public void Symmetrize_FillsFromMirrorWhereKnown()
    {
        // 1×5 row centred at x = 2: mirror of x is 4 − x.
        var data = new DiffractionData(Shape.Of(1, 5), [1f, 2, 3, 4, 5]) { Geometry = new Geometry { BeamCenterX = 2, BeamCenterY = 0 } };
        data.Mask[0] = (uint)MaskFlags.Gap;
        data.Mask[3] = (uint)MaskFlags.Beamstop;
        data.Mask[1] = (uint)MaskFlags.Saturated;
        new SymmetrizeStep().Apply(data, new SymmetrizeOptions(), StepContext.None);
        Assert.Equal([5f, 2, 3, 4, 5], data.Intensity); // x=0 from x=4; x=3's partner x=1 is unknown; x=1 saturated is not fillable
        Assert.Equal([0u, (uint)MaskFlags.Saturated, 0u, (uint)MaskFlags.Beamstop, 0u], data.Mask);
    }
}
