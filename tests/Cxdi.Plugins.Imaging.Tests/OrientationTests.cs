using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Imaging.Tests;

/// <summary>Every picture shows array row 0 at the top and column 0 at the left, as imshow and PyNX show a detector frame.</summary>
public sealed class OrientationTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cxdi-orientation-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    public void Diffraction_BrightBlockInOneArrayCorner_IsInTheSamePngCorner(int bottom, int right)
    {
        // A 4×4 bright block in one corner of a dim 48×64 frame (rows ≠ columns, so a transpose would show too).
        const int ny = 48, nx = 64;
        var intensity = Enumerable.Repeat(1f, ny * nx).ToArray();
        int r0 = bottom == 1 ? ny - 4 : 0, c0 = right == 1 ? nx - 4 : 0;
        for (var y = r0; y < r0 + 4; y++)
        {
            for (var x = c0; x < c0 + 4; x++)
            {
                intensity[(y * nx) + x] = 1e4f;
            }
        }

        var data = new DiffractionData(Shape.Of(ny, nx), intensity);
        var files = new PngWriter().Write(data, Path.Combine(_dir.FullName, "d"), new PngWriterOptions { Width = 800, Height = 600, Pictures = [Picture.Diffraction] }, StepContext.None);
        using var png = new Png(Assert.Single(files));

        var map = ColorMap.Of(new PngWriterOptions().DiffractionColormap);
        var plotArea = (int)(0.85 * png.Width);
        // The dim frame is one colour (the middle of the plot area is dim in every case); its bounding box is the image.
        var dim = png[plotArea / 2, png.Height / 2];
        var (x0, x1, y0, y1) = png.SolidRegion(dim, plotArea);
        var top = png.Find(map.Top, plotArea);
        Assert.NotEmpty(top);
        x0 = Math.Min(x0, top.Min(p => p.X));
        x1 = Math.Max(x1, top.Max(p => p.X) + 1);
        y0 = Math.Min(y0, top.Min(p => p.Y));
        y1 = Math.Max(y1, top.Max(p => p.Y) + 1);
        Assert.Equal((double)nx / ny, (double)(x1 - x0) / (y1 - y0), 1);
        var col = (top.Average(p => p.X) + 0.5 - x0) / (x1 - x0) * nx;
        var row = (top.Average(p => p.Y) + 0.5 - y0) / (y1 - y0) * ny;
        Assert.Equal(c0 + 2, col, 1.5); // a flip or transpose would put it tens of cells away
        Assert.Equal(r0 + 2, row, 1.5);
    }
}
