using Cxdi.Plugins.Preprocessing.Masks;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Tests;

public sealed class MoreMaskTests
{
    private static DiffractionData Flat(int ny, int nx, float value = 10) => new(Shape.Of(ny, nx), Enumerable.Repeat(value, ny * nx).ToArray());

    [Fact]
    public void MaskFile_NonZeroPixels_BecomeUserFlagged_ThroughTheResolvedReader()
    {
        var maskFile = new DiffractionData(Shape.Of(2, 3), [0f, 1, 0, 0, 0, 7]);
        var reader = new MemoryReader(maskFile);
        var context = TestResolver.Context(new Dictionary<string, IDataReader> { ["esrf.edf"] = reader });
        var data = Flat(2, 3);
        data.Mask[5] = (uint)MaskFlags.Hot;
        new FileMaskStep().Apply(data, new FileMaskOptions { Path = "/data/mask.edf" }, context);
        Assert.Equal(["/data/mask.edf"], reader.Paths);
        Assert.Equal([0u, (uint)MaskFlags.User, 0u, 0u, 0u, (uint)(MaskFlags.User | MaskFlags.Hot)], data.Mask);
        Assert.Equal(1L, ((Dictionary<string, object>)data.Findings["cxdi.mask.file"])["pixels_added"]);
    }

    [Fact]
    public void MaskFile_Inverted_AndWrongShape()
    {
        var data = Flat(1, 3);
        FileMaskStep.Merge(data, [1f, 0, 1], new FileMaskOptions { Path = "m.npy", Invert = true, Flag = MaskFlags.Gap });
        Assert.Equal([0u, (uint)MaskFlags.Gap, 0u], data.Mask);

        var reader = new MemoryReader(new DiffractionData(Shape.Of(4, 4), new float[16]));
        var context = TestResolver.Context(new Dictionary<string, IDataReader> { ["numpy.npy"] = reader });
        var ex = Assert.Throws<InvalidInputException>(() => new FileMaskStep().Apply(Flat(2, 3), new FileMaskOptions { Path = "m.npy" }, context));
        Assert.Contains("4x4", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidInputException>(() => new FileMaskStep().Apply(Flat(2, 3), new FileMaskOptions { Path = "m.xyz" }, context));
    }

    [Fact]
    public void Beamstop_DiscAndRectangle()
    {
        var disc = Flat(9, 9);
        new BeamstopMaskStep().Apply(disc, new BeamstopMaskOptions { Radius = 1.5 }, StepContext.None);
        // Centre (4,4), radius 1.5: the 3×3 block (d² ≤ 2) → 9 pixels.
        Assert.Equal(9, disc.Mask.Count(m => m == (uint)MaskFlags.Beamstop));
        Assert.Equal((uint)MaskFlags.Beamstop, disc.Mask[(3 * 9) + 3]);
        Assert.Equal(0u, disc.Mask[(2 * 9) + 4]);

        var rect = Flat(9, 9);
        new BeamstopMaskStep().Apply(rect, new BeamstopMaskOptions { Shape = BeamstopShape.Rectangle, Width = 4, Height = 2, CenterX = 2, CenterY = 2 }, StepContext.None);
        // |x−2| ≤ 2 (x = 0…4) and |y−2| ≤ 1 (y = 1…3): 15 pixels.
        Assert.Equal(15, rect.Mask.Count(m => m != 0));
        Assert.Equal((uint)MaskFlags.Beamstop, rect.Mask[(1 * 9) + 0]);
        Assert.Equal(0u, rect.Mask[(4 * 9) + 2]);
    }

    [Fact]
    public void Saturation_FlagsAtOrAboveLevel()
    {
        var data = new DiffractionData(Shape.Of(1, 4), [1f, 99, 100, 1e5f]);
        new SaturationMaskStep().Apply(data, new SaturationMaskOptions { Level = 100 }, StepContext.None);
        Assert.Equal([0u, 0u, (uint)MaskFlags.Saturated, (uint)MaskFlags.Saturated], data.Mask);
    }

    [Fact]
    public void HotPixels_OutlierAgainstLocalMedian()
    {
        var data = Flat(7, 7, 10);
        data.Intensity[(3 * 7) + 3] = 500; // 50× the median: hot
        data.Intensity[(1 * 7) + 1] = 60;  // 6×: not hot at factor 10
        new HotPixelMaskStep().Apply(data, new HotPixelMaskOptions { Window = 3, Factor = 10, MinExcess = 20 }, StepContext.None);
        Assert.Equal((uint)MaskFlags.Hot, data.Mask[(3 * 7) + 3]);
        Assert.Equal(1, data.Mask.Count(m => m != 0));
        Assert.NotEmpty(new HotPixelMaskOptions { Window = 4 }.Validate());
    }

    [Fact]
    public void DeadPixels_ZeroInAllFrames()
    {
        // Pixel 0 zero in both frames (dead), pixel 1 zero in one frame only.
        var data = new DiffractionData(Shape.Of(2, 1, 3), [0f, 0, 5, 0, 3, 5]);
        new DeadPixelMaskStep().Apply(data, new DeadPixelMaskOptions(), StepContext.None);
        Assert.Equal([(uint)MaskFlags.Dead, 0u, 0u, (uint)MaskFlags.Dead, 0u, 0u], data.Mask);
    }

    [Fact]
    public void Gaps_Maxipix2x2_And_Eiger4M_Layouts()
    {
        var mpx = DetectorLayout.Find("maxipix-2x2")!;
        Assert.Equal((516, 516), (mpx.Width, mpx.Height));
        Assert.Equal([256, 257, 258, 259], mpx.GapColumns);
        var five = DetectorLayout.Find("maxipix_5x1")!;
        Assert.Equal((1296, 256), (five.Width, five.Height));
        Assert.Equal(16, five.GapColumns.Length);
        Assert.Empty(five.GapRows);

        var e4 = DetectorLayout.Find("eiger-4m")!;
        Assert.Equal((2070, 2167), (e4.Width, e4.Height));
        Assert.Equal(Enumerable.Range(1030, 10), e4.GapColumns);
        Assert.Equal([.. Enumerable.Range(514, 37), .. Enumerable.Range(1065, 37), .. Enumerable.Range(1616, 37)], e4.GapRows);
        Assert.Equal([255, 256, 257, 258], e4.BorderRows[..4]);
        Assert.Equal((1030, 1065), (DetectorLayout.Find("eiger-1m")!.Width, DetectorLayout.Find("eiger-1m")!.Height));
        Assert.Equal((3110, 3269), (DetectorLayout.Find("eiger-9m")!.Width, DetectorLayout.Find("eiger-9m")!.Height));
        Assert.Equal((4150, 4371), (DetectorLayout.Find("eiger-16m")!.Width, DetectorLayout.Find("eiger-16m")!.Height));
    }

    [Fact]
    public void Gaps_AppliedToARegionOfInterest()
    {
        // A 10×10 region of a Maxipix 2×2 starting at detector (250, 250): gap columns/rows 256…259 → local 6…9.
        var data = Flat(10, 10);
        new DetectorGapMaskStep().Apply(data, new DetectorGapMaskOptions { Detector = "maxipix-2x2", OriginX = 250, OriginY = 250 }, StepContext.None);
        Assert.Equal((uint)MaskFlags.Gap, data.Mask[(0 * 10) + 6]);
        Assert.Equal((uint)MaskFlags.Gap, data.Mask[(9 * 10) + 0]);
        Assert.Equal(0u, data.Mask[(5 * 10) + 5]);
        Assert.Equal(100 - 36, data.Mask.Count(m => m != 0));
        Assert.Throws<WorkflowShapeException>(() => new DetectorGapMaskStep().Apply(Flat(10, 10), new DetectorGapMaskOptions { Detector = "maxipix-2x2", OriginX = 510 }, StepContext.None));
        Assert.NotEmpty(new DetectorGapMaskOptions { Detector = "pilatus" }.Validate());
    }

    [Fact]
    public void GrowAndShrink_AreBinaryDilationAndErosionOfAFlag()
    {
        var data = Flat(5, 5);
        data.Mask[12] = (uint)MaskFlags.Beamstop;
        data.Mask[0] = (uint)MaskFlags.Hot;
        new GrowMaskStep().Apply(data, new MorphologyOptions { Flags = [MaskFlags.Beamstop], Radius = 1 }, StepContext.None);
        Assert.Equal(9, data.Mask.Count(m => m == (uint)MaskFlags.Beamstop));
        Assert.Equal((uint)MaskFlags.Hot, data.Mask[0]);

        new ShrinkMaskStep().Apply(data, new MorphologyOptions { Flags = [MaskFlags.Beamstop], Radius = 1 }, StepContext.None);
        Assert.Equal((uint)MaskFlags.Beamstop, data.Mask[12]);
        Assert.Equal(1, data.Mask.Count(m => m == (uint)MaskFlags.Beamstop));

        var disc = Flat(7, 7);
        disc.Mask[24] = (uint)MaskFlags.User;
        new GrowMaskStep().Apply(disc, new MorphologyOptions { Radius = 2, Shape = Neighbourhood.Disc }, StepContext.None);
        Assert.Equal(13, disc.Mask.Count(m => m != 0));
        Assert.Equal(10f, disc.Intensity[24]);
    }
}
