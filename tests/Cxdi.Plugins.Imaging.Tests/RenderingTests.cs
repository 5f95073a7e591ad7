using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Imaging.Tests;

public sealed class RenderingTests
{
    [Fact]
    public void Viridis_EndsAreItsKeyColours()
    {
        Assert.Equal(new Rgb(0x44, 0x01, 0x54), ColorMap.Viridis.Map(0));
        Assert.Equal(new Rgb(0xfd, 0xe7, 0x25), ColorMap.Viridis.Map(1));
        Assert.Equal(ColorMap.Viridis.Top, ColorMap.Viridis.Map(7.5));
        Assert.Equal(ColorMap.Viridis.Bottom, ColorMap.Viridis.Map(-1));
    }

    [Fact]
    public void Map_InterpolatesLinearlyBetweenStops()
    {
        // Gray has two stops: position 0.5 is mid grey.
        Assert.Equal(new Rgb(128, 128, 128), ColorMap.Gray.Map(0.5));
        Assert.Equal(new Rgb(51, 51, 51), ColorMap.Gray.Map(0.2));
    }

    [Theory]
    [InlineData(ColorMapName.Hsv)]
    [InlineData(ColorMapName.Twilight)]
    public void CyclicMap_PlusAndMinusPiLookTheSame(ColorMapName name)
    {
        var map = ColorMap.Of(name);
        Assert.True(map.IsCyclic);
        Assert.Equal(map.MapPhase(-Math.PI), map.MapPhase(Math.PI));
        Assert.Equal(map.MapPhase(0.3), map.MapPhase(0.3 + (2 * Math.PI)));
        Assert.NotEqual(map.MapPhase(0), map.MapPhase(Math.PI));
    }

    [Fact]
    public void Hsv_PhaseZeroIsCyan()
    {
        Assert.Equal(new Rgb(0, 255, 255), ColorMap.Hsv.MapPhase(0));
        Assert.Equal(new Rgb(255, 0, 0), ColorMap.Hsv.MapPhase(Math.PI));
    }

    [Fact]
    public void Slice_PicksTheRightPlanes()
    {
        // value = z·10000 + y·100 + x identifies each voxel
        var shape = Shape.Of(4, 5, 6);
        var data = new int[shape.Length];
        for (var z = 0; z < 4; z++)
        {
            for (var y = 0; y < 5; y++)
            {
                for (var x = 0; x < 6; x++)
                {
                    data[(((z * 5) + y) * 6) + x] = (z * 10000) + (y * 100) + x;
                }
            }
        }

        var xy = Slicing.Slice(data, shape, SlicePlane.Xy, 3);
        Assert.Equal((5, 6), (xy.Rows, xy.Cols));
        Assert.Equal(30204, xy[2, 4]);

        var xz = Slicing.Slice(data, shape, SlicePlane.Xz, 1);
        Assert.Equal((4, 6), (xz.Rows, xz.Cols));
        Assert.Equal(20105, xz[2, 5]);

        var yz = Slicing.Slice(data, shape, SlicePlane.Yz, 5);
        Assert.Equal((4, 5), (yz.Rows, yz.Cols));
        Assert.Equal(30405, yz[3, 4]);

        Assert.Throws<ArgumentOutOfRangeException>(() => Slicing.Slice(data, shape, SlicePlane.Yz, 6));
    }

    [Fact]
    public void BoundingBox_FindsTheSupportAndExpandsWithinTheArray()
    {
        var (_, support) = Synthetic.Ball(32, 5, 10, 12, 20);
        var shape = Shape.Of(32, 32, 32);
        var box = Slicing.BoundingBox(support, shape);
        Assert.Equal(new VoxelBox(5, 16, 7, 18, 15, 26), box);
        Assert.Equal((10, 12, 20), box!.Value.Centre);
        Assert.Equal(new VoxelBox(0, 24, 0, 26, 7, 32), box.Value.Expanded(8, shape));
        Assert.Null(Slicing.BoundingBox(new byte[shape.Length], shape));
    }

    [Fact]
    public void Views_Of3D_CutThroughTheRegionCentreAndCropToIt()
    {
        var shape = Shape.Of(32, 32, 32);
        var (obj, support) = Synthetic.Ball(32, 5, 10, 12, 20);
        var region = Slicing.BoundingBox(support, shape)!.Value;
        var views = Slicing.Views(Colouring.Amplitude(obj), shape, region, region.Centre);
        Assert.Equal([SlicePlane.Xy, SlicePlane.Xz, SlicePlane.Yz], views.Select(v => v.Plane));
        Assert.Equal([10, 12, 20], views.Select(v => v.Index));
        Assert.Equal((11, 11), (views[0].Raster.Rows, views[0].Raster.Cols));

        // the ball's centre voxel (z = 10) has amplitude 1 + 10/32 and sits at the centre of every cropped view
        foreach (var (_, _, raster) in views)
        {
            Assert.Equal(1 + (10f / 32), raster[5, 5], 5);
            Assert.Equal(0f, raster[0, 0]);
        }
    }

    [Fact]
    public void Views_Of2D_IsTheWholeCroppedPlane()
    {
        var shape = Shape.Of(8, 10);
        var data = Enumerable.Range(0, 80).ToArray();
        var views = Slicing.Views(data, shape, new VoxelBox(0, 1, 2, 5, 3, 9), (0, 3, 6));
        var view = Assert.Single(views);
        Assert.Equal((3, 6), (view.Raster.Rows, view.Raster.Cols));
        Assert.Equal(23, view.Raster[0, 0]);
        Assert.Equal(48, view.Raster[2, 5]);
    }

    [Fact]
    public void ReferencedPhase_RemovesTheConstantOffset()
    {
        var obj = new[] { Complex32.FromPolar(1, 2.0f), Complex32.FromPolar(1, 2.2f), Complex32.FromPolar(1, 1.8f), new Complex32(0, 0) };
        var phase = Colouring.ReferencedPhase(obj, [1, 1, 1, 0]);
        Assert.Equal(0, phase[0], 4);
        Assert.Equal(0.2, phase[1], 4);
        Assert.Equal(-0.2, phase[2], 4);
    }

    [Fact]
    public void Phase_IsBlackOutsideTheSupportAndShadedByAmplitudeInside()
    {
        var phase = new Raster<float>(1, 3, [0f, 0f, (float)(Math.PI / 2)]);
        var amplitude = new Raster<float>(1, 3, [1f, 0.5f, 3f]);
        var support = new Raster<byte>(1, 3, [1, 1, 0]);
        var rgb = Colouring.Phase(phase, amplitude, 1, support, ColorMap.Hsv, PhaseShading.Amplitude);
        Assert.Equal(new Rgb(0, 255, 255), rgb[0, 0]);
        Assert.Equal(new Rgb(0, 128, 128), rgb[0, 1]);
        Assert.Equal(Rgb.Black, rgb[0, 2]);

        var flat = Colouring.Phase(phase, amplitude, 1, support, ColorMap.Hsv, PhaseShading.Flat);
        Assert.Equal(ColorMap.Hsv.MapPhase(Math.PI / 2), flat[0, 2]);
    }

    [Fact]
    public void BrightnessReference_IgnoresAFewHotPixels()
    {
        var amplitude = Enumerable.Repeat(1f, 100).ToArray();
        amplitude[3] = 50;
        Assert.Equal(1, Colouring.BrightnessReference(amplitude, null));
    }

    [Fact]
    public void LogIntensity_FloorsZeroCountsAndMarksMaskedPixels()
    {
        var intensity = new[] { 0f, 1000f, 10f, 5f };
        var mask = new[] { 0u, 0u, 0u, (uint)MaskFlags.Beamstop };
        var (floor, lo, hi) = Colouring.LogRange(intensity, mask, 1);
        Assert.Equal((1, 0, 3), (floor, lo, hi));
        var scale = new ColorScale(ColorMap.Gray, lo, hi, "log");
        var rgb = Colouring.LogIntensity(new Raster<float>(1, 4, intensity), new Raster<uint>(1, 4, mask), floor, scale, new Rgb(1, 2, 3));
        Assert.Equal(Rgb.Black, rgb[0, 0]);
        Assert.Equal(new Rgb(255, 255, 255), rgb[0, 1]);
        Assert.Equal(new Rgb(85, 85, 85), rgb[0, 2]);
        Assert.Equal(new Rgb(1, 2, 3), rgb[0, 3]);
    }

    [Fact]
    public void LogRange_LowersTheFloorForNormalisedData()
    {
        var (floor, lo, hi) = Colouring.LogRange([1e-3f, 0f], [0u, 0u], 0.5);
        Assert.Equal(1e-9, floor, 12);
        Assert.Equal(-9, lo, 6);
        Assert.Equal(-3, hi, 6);
    }

    [Theory]
    [InlineData("#29c5f6", true, 0x29, 0xc5, 0xf6)]
    [InlineData("29c5f6", false, 0, 0, 0)]
    [InlineData("#29c5g6", false, 0, 0, 0)]
    public void Rgb_ParsesHexColours(string text, bool ok, int r, int g, int b)
    {
        Assert.Equal(ok, Rgb.TryParse(text, out var c));
        Assert.Equal(new Rgb((byte)r, (byte)g, (byte)b), c);
    }
}
