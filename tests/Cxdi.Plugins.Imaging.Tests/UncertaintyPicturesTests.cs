using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Imaging.Tests;

/// <summary>Pictures of the per-pixel uncertainty maps and of the FSC curves.</summary>
public sealed class UncertaintyPicturesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cxdi-png-unc-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Base => Path.Combine(_dir.FullName, "result");

    /// <summary>The synthetic set with maps: amplitude spread 0 outside the support, 0.05 inside, 0.5 in the 6×6 block at rows 20–25, columns 36–41; phase spread NaN outside the support.</summary>
    private static ReconstructionSet WithMaps(int n)
    {
        var set = Synthetic.Set(n, 4, withAverage: true, withData: true);
        var support = set.AverageSupport!;
        set.AmplitudeUncertainty = [.. support.Select((s, i) => Loud(i, n) ? 0.5f : s != 0 ? 0.05f : 0f)];
        set.PhaseUncertainty = [.. support.Select((s, i) => s == 0 ? float.NaN : Loud(i, n) ? 1f : 0.1f)];
        set.FscHalfRuns = new FrequencyCurve([.. Enumerable.Range(0, 33).Select(i => i / 32.0)], [.. Enumerable.Range(0, 33).Select(i => 1 / (1 + Math.Exp((i / 32.0 - 0.7) * 15)))]);
        set.FscHalfRunsCutoff = 0.82;
        set.FscHalfPixels = new FrequencyCurve([.. Enumerable.Range(0, 33).Select(i => i / 32.0)], [.. Enumerable.Range(0, 33).Select(i => 1 / (1 + Math.Exp((i / 32.0 - 0.4) * 15)))]);
        set.FscHalfPixelsCutoff = 0.52;
        return set;
    }

    private static bool Loud(int i, int n) => i / n is >= 20 and < 26 && i % n is >= 36 and < 42;

    [Fact]
    public void Write_SetWithMapsAndFsc_WritesTheirPicturesAfterTheOthers()
    {
        var files = new PngWriter().Write(WithMaps(64), Base, new PngWriterOptions { Width = 640, Height = 480 }, StepContext.None);
        Assert.Equal(
            ["amplitude", "phase", "support", "diffraction", "metrics", "prtf", "amplitude_uncertainty", "phase_uncertainty", "fsc"],
            files.Select(f => Path.GetFileNameWithoutExtension(f)["result_".Length..]));
        foreach (var file in files)
        {
            using var png = new Png(file);
            Assert.Equal((640, 480), (png.Width, png.Height));
        }
    }

    [Fact]
    public void AmplitudeUncertainty_TopColourIsWhereTheRunsDisagree()
    {
        const int n = 64;
        var files = new PngWriter().Write(WithMaps(n), Base, new PngWriterOptions { Pictures = [Picture.AmplitudeUncertainty], CropToSupport = false }, StepContext.None);
        using var png = new Png(Assert.Single(files));
        Assert.EndsWith("result_amplitude_uncertainty.png", files[0], StringComparison.Ordinal);
        var plotArea = (int)(0.88 * png.Width);
        var (x0, x1, y0, y1) = png.SolidRegion(ColorMap.Viridis.Bottom, plotArea);
        var top = png.Find(ColorMap.Viridis.Top, plotArea);
        var cell = (double)(x1 - x0) / n;
        Assert.InRange(top.Count, 0.8 * 36 * cell * cell, 1.2 * 36 * cell * cell);
        Assert.Equal(39.0 / n, (top.Average(p => p.X) + 0.5 - x0) / (x1 - x0), 2);
        Assert.Equal(23.0 / n, (top.Average(p => p.Y) + 0.5 - y0) / (y1 - y0), 2);
    }

    [Fact]
    public void PhaseUncertainty_IsBlackOutsideTheSupport()
    {
        const int n = 64;
        var set = WithMaps(n);
        var files = new PngWriter().Write(set, Base, new PngWriterOptions { Pictures = [Picture.PhaseUncertainty], CropToSupport = false }, StepContext.None);
        using var png = new Png(Assert.Single(files));
        var (x0, x1, y0, y1) = png.SolidRegion(Rgb.Black, (int)(0.88 * png.Width));
        var cell = (double)(x1 - x0) / n;

        // a corner cell is outside the support (black), the block (1 rad, the maximum) the top colour, the rest of the support (0.1 rad) a tenth up the map
        Rgb At(int row, int col) => png[x0 + (int)((col + 0.5) * cell), y0 + (int)((row + 0.5) * cell)];
        Assert.Equal(Rgb.Black, At(2, 2));
        Assert.Equal(ColorMap.Viridis.Top, At(22, 38));
        Assert.Equal(ColorMap.Viridis.Map(0.1), At(32, 32));
    }

    [Fact]
    public void Fsc_DrawsBothCurvesInTheirColours_AndIsSkippedWithoutFsc()
    {
        var files = new PngWriter().Write(WithMaps(64), Base, new PngWriterOptions { Pictures = [Picture.Fsc] }, StepContext.None);
        using (var png = new Png(Assert.Single(files)))
        {
            Assert.True(png.Find(new Rgb(0x1f, 0x77, 0xb4), png.Width).Count > 200, "half-runs curve (blue)");
            Assert.True(png.Find(new Rgb(0xff, 0x7f, 0x0e), png.Width).Count > 200, "half-pixels curve (orange)");
            Assert.True(png.Find(new Rgb(0x2c, 0xa0, 0x2c), png.Width).Count > 100, "PRTF (green)");
        }

        var plain = Synthetic.Set(32, 2, withAverage: true, withData: false);
        Assert.Empty(new PngWriter().Write(plain, Base + "2", new PngWriterOptions { Pictures = [Picture.Fsc, Picture.AmplitudeUncertainty, Picture.PhaseUncertainty] }, StepContext.None));
    }

    [Fact]
    public void Uncertainty_3DSet_DrawsThreeSlices()
    {
        var (ball, support) = Synthetic.Ball(32, 6, 14, 16, 18);
        var spread = ball.Select(z => z.Abs * 0.1f).ToArray();
        var set = new ReconstructionSet { Shape = Shape.Of(32, 32, 32), Average = ball, AverageSupport = support, AmplitudeUncertainty = spread, PhaseUncertainty = [.. support.Select(s => s != 0 ? 0.2f : float.NaN)] };
        var files = new PngWriter().Write(set, Base, new PngWriterOptions { Width = 800, Height = 700, Pictures = [Picture.AmplitudeUncertainty, Picture.PhaseUncertainty] }, StepContext.None);
        Assert.Equal(2, files.Count);
        using var png = new Png(files[0]);
        Assert.Equal((800, 700), (png.Width, png.Height));

        // the spread follows the amplitude 1 + z/32, largest at the ball's last plane: seen in the xz and yz slices, not in xy
        var top = png.Find(ColorMap.Viridis.Top, png.Width);
        Assert.DoesNotContain(top, p => p.X < 0.38 * png.Width && p.Y < png.Height / 2);
        Assert.Contains(top, p => p.X > 0.5 * png.Width && p.X < 0.88 * png.Width && p.Y < png.Height / 2);
    }
}
