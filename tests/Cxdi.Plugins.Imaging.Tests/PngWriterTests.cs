using System.Reflection;
using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Imaging.Tests;

public sealed class PngWriterTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cxdi-png-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Base => Path.Combine(_dir.FullName, "result");

    [Fact]
    public void Module_RegistersTheWriterUnderItsId()
    {
        var services = new ServiceCollection();
        new ImagingModule().Configure(services);
        var registration = Assert.Single(services, s => s.ServiceType == typeof(PluginRegistration));
        var type = ((PluginRegistration)registration.ImplementationInstance!).ImplementationType;
        Assert.Equal("cxdi.png", type.GetCustomAttribute<CxdiPluginAttribute>()!.Id);
        Assert.Equal(typeof(PngWriterOptions), new PngWriter().OptionsType);
    }

    [Fact]
    public void Write_Set_WritesEveryPictureAtTheRequestedSize()
    {
        var set = Synthetic.Set(64, 4, withAverage: true, withData: true);
        var files = new PngWriter().Write(set, Base, new PngWriterOptions { Width = 640, Height = 480 }, StepContext.None);
        Assert.Equal(
            ["amplitude", "phase", "support", "diffraction", "metrics", "prtf"],
            files.Select(f => Path.GetFileNameWithoutExtension(f)["result_".Length..]));
        foreach (var file in files)
        {
            using var png = new Png(file);
            Assert.Equal((640, 480), (png.Width, png.Height));
        }

        // atomic writes leave nothing else behind
        Assert.Equal(files.Order(), _dir.GetFiles().Select(f => f.FullName).Order());
    }

    [Fact]
    public void Write_SelectedPictures_WritesOnlyThoseWhoseDataExist()
    {
        var set = Synthetic.Set(32, 2, withAverage: false, withData: false);
        set.Prtf = null;
        var files = new PngWriter().Write(set, Base, new PngWriterOptions { Pictures = [Picture.Prtf, Picture.Diffraction, Picture.Metrics] }, StepContext.None);
        Assert.Equal([Base + "_metrics.png"], files);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Amplitude_MaximumIsTheTopColourWhereTheHotBlockIs(bool crop)
    {
        // Synthetic.Set(128): disc of radius 25 centred at (64, 64) with a 5×5 block of twice the amplitude at rows 56–60, columns 68–72.
        var set = Synthetic.Set(128, 2, withAverage: true, withData: false);
        const int width = 900, height = 720;
        var files = new PngWriter().Write(set, Base, new PngWriterOptions { Width = width, Height = height, Pictures = [Picture.Amplitude], CropToSupport = crop }, StepContext.None);
        using var png = new Png(Assert.Single(files));

        // left of the colour bar, the bottom colour (zero amplitude) spans the image area; the top colour marks the block
        var plotArea = (int)(0.88 * width);
        var background = png.Find(ColorMap.Viridis.Bottom, plotArea);
        var top = png.Find(ColorMap.Viridis.Top, plotArea);
        int x0 = background.Min(p => p.X), x1 = background.Max(p => p.X) + 1, y0 = background.Min(p => p.Y), y1 = background.Max(p => p.Y) + 1;
        var (first, extent) = crop ? (64 - 25 - 8, 25 + 25 + 1 + 16) : (0, 128);
        var pixelsPerCell = (double)(x1 - x0) / extent;
        Assert.Equal(pixelsPerCell, (double)(y1 - y0) / extent, 1);
        Assert.InRange(top.Count, 0.8 * 25 * pixelsPerCell * pixelsPerCell, 1.2 * 25 * pixelsPerCell * pixelsPerCell);
        Assert.Equal((70.5 - first) / extent, (top.Average(p => p.X) + 0.5 - x0) / (x1 - x0), 2);
        Assert.Equal((58.5 - first) / extent, (top.Average(p => p.Y) + 0.5 - y0) / (y1 - y0), 2);
    }

    [Fact]
    public void Phase_IsBlackOutsideTheSupportAndUsesTheCyclicMapInside()
    {
        var set = Synthetic.Set(64, 1, withAverage: false, withData: false);
        var files = new PngWriter().Write(set, Base, new PngWriterOptions { Pictures = [Picture.Phase], PhaseShading = PhaseShading.Support, CropToSupport = false }, StepContext.None);
        using var png = new Png(Assert.Single(files));
        var black = png.Find(Rgb.Black, (int)(0.88 * png.Width));
        Assert.True(black.Count > 1000, $"{black.Count} black pixels");

        // inside, each cell shows the hsv colour of its phase referenced to the object's mean phase
        var (x0, x1, y0, y1) = png.SolidRegion(Rgb.Black, (int)(0.88 * png.Width));
        Assert.InRange(y1 - y0, x1 - x0 - 2, x1 - x0 + 2);
        var phase = Colouring.ReferencedPhase(set.Runs[0].Object, set.Runs[0].Support);
        foreach (var (row, col) in new[] { (32, 32), (34, 25), (30, 40) })
        {
            var x = x0 + (int)((col + 0.5) / 64 * (x1 - x0));
            var y = y0 + (int)((row + 0.5) / 64 * (y1 - y0));
            Assert.Equal(ColorMap.Hsv.MapPhase(phase[(row * 64) + col]), png[x, y]);
        }

        Assert.Equal(Rgb.Black, png[x0 + 2, y0 + 2]);
    }

    [Fact]
    public void Write_3DSet_DrawsThreeSlicesOfTheRequestedSize()
    {
        var (ball, support) = Synthetic.Ball(32, 6, 14, 16, 18);
        var set = new ReconstructionSet { Shape = Shape.Of(32, 32, 32), Average = ball, AverageSupport = support };
        var files = new PngWriter().Write(set, Base, new PngWriterOptions { Width = 800, Height = 700, Pictures = [Picture.Amplitude, Picture.Support] }, StepContext.None);
        Assert.Equal(2, files.Count);
        using var png = new Png(files[0]);
        Assert.Equal((800, 700), (png.Width, png.Height));

        // amplitude 1 + z/32 peaks at the ball's last plane (z = 20), seen in the xz and yz slices (lower half) but not in xy (z = 14)
        // (grid: xy upper left, xz upper right, yz lower left; each image left of its colour bar)
        var top = png.Find(ColorMap.Viridis.Top, png.Width);
        bool InXy((int X, int Y) p) => p.X < 0.38 * png.Width && p.Y < png.Height / 2;
        bool InXz((int X, int Y) p) => p.X > 0.5 * png.Width && p.X < 0.88 * png.Width && p.Y < png.Height / 2;
        bool InYz((int X, int Y) p) => p.X < 0.38 * png.Width && p.Y > png.Height / 2;
        Assert.DoesNotContain(top, InXy);
        Assert.Contains(top, InXz);
        Assert.Contains(top, InYz);
    }

    [Fact]
    public void Write_DiffractionData_ShowsMaskedPixelsInTheMaskColourAndTheGroundTruth()
    {
        var (obj, support) = Synthetic.Disc(64, 10, 30, 30);
        var data = Synthetic.Diffraction(obj, 64, 1e5);
        data.GroundTruth = obj;
        var files = new PngWriter().Write(data, Base, new PngWriterOptions { MaskColor = "#00ff00" }, StepContext.None);
        Assert.Equal([Base + "_amplitude.png", Base + "_phase.png", Base + "_diffraction.png"], files);
        using var png = new Png(files[2]);
        var masked = png.Find(new Rgb(0, 255, 0), png.Width);
        Assert.True(masked.Count > 64 * 5, $"{masked.Count} mask-coloured pixels");

        Array.Clear(data.Mask);
        var unmasked = new PngWriter().Write(data, Base + "2", new PngWriterOptions { MaskColor = "#00ff00", Pictures = [Picture.Diffraction] }, StepContext.None);
        using var clean = new Png(Assert.Single(unmasked));
        Assert.Empty(clean.Find(new Rgb(0, 255, 0), clean.Width));
    }

    [Fact]
    public void Write_FailingTarget_LeavesNoPartialOrTemporaryFile()
    {
        Directory.CreateDirectory(Base + "_phase.png");
        var set = Synthetic.Set(32, 1, withAverage: true, withData: false);
        var e = Assert.Throws<InvalidInputException>(() => new PngWriter().Write(set, Base, new PngWriterOptions(), StepContext.None));
        Assert.Contains("result_phase.png", e.Message);
        Assert.Equal(["result_amplitude.png", "result_phase.png"], _dir.GetFileSystemInfos().Select(f => f.Name).Order());
        Assert.Empty(Directory.GetFileSystemEntries(Base + "_phase.png"));
    }

    [Fact]
    public void Write_Cancelled_StopsBeforeTheNextPicture()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var set = Synthetic.Set(32, 1, withAverage: true, withData: false);
        Assert.Throws<OperationCanceledException>(() => new PngWriter().Write(set, Base, new PngWriterOptions(), new StepContext { Cancellation = cts.Token }));
        Assert.Empty(_dir.GetFiles());
    }

    [Fact]
    public void ChooseObject_NamesTheSingleRunWithSeedAndLlk()
    {
        var set = Synthetic.Set(32, 1, withAverage: false, withData: false);
        var chosen = PictureBuilder.ChooseObject(set);
        Assert.Equal("run 0 · seed 1000 · LLK 1 · free LLK 1.05 · kept", chosen!.Value.Label);

        var many = Synthetic.Set(32, 4, withAverage: true, withData: false);
        Assert.Equal("average of 2 kept runs (of 4)", PictureBuilder.ChooseObject(many)!.Value.Label);
        many.Average = null;
        Assert.StartsWith("best of 4 runs, run 0 ", PictureBuilder.ChooseObject(many)!.Value.Label);
    }

    [Fact]
    public void Options_Validate_ReportsNonCyclicPhaseMapAndBadMaskColour()
    {
        var problems = new PngWriterOptions { PhaseColormap = ColorMapName.Viridis, MaskColor = "cyan" }.Validate().ToList();
        Assert.Equal(["PhaseColormap", "MaskColor"], problems.Select(p => p.Key));
        Assert.Empty(new PngWriterOptions().Validate());
    }

    [Fact]
    public void CanWrite_AcceptsSetsAndDiffractionData()
    {
        var writer = new PngWriter();
        Assert.True(writer.CanWrite(Synthetic.Set(16, 1, false, false)));
        Assert.True(writer.CanWrite(new DiffractionData(Shape.Of(4, 4), new float[16])));
    }
}
