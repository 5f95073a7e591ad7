using Cxdi.Host.Tui;
using Cxdi.Sdk.Data;

namespace Cxdi.Host.Tests.Tui;

public sealed class BrowserAndPreviewTests
{
    [Fact]
    public void Discover_FindsTheExamplesAndDescribeShowsProblemsUnderTheirLines()
    {
        using var fx = new TuiFixture();
        var broken = Path.Combine(fx.Directory.FullName, "examples", "broken.yaml");
        File.WriteAllText(broken, "schema: 1\nname: broken\ninput:\n  use: test.gen\n  with: { size: 16, colour: red }\nsteps:\n  - use: test.phazer\n");
        var files = fx.Session.Discover(null);
        Assert.Equal([broken, fx.Workflow], files);
        Assert.Equal([fx.Workflow], fx.Session.Discover("examples/quickstart.yaml"));

        var info = fx.Session.Describe(broken, []);
        Assert.False(info.IsValid);
        Assert.Equal([5, 7], info.Problems.Select(p => WorkflowInfo.LineOf(p, broken)).Order());
        var lines = TuiApp.Describe(info, []).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var under5 = lines[lines.FindIndex(l => l.StartsWith("  5 ", StringComparison.Ordinal)) + 1];
        var under7 = lines[lines.FindIndex(l => l.StartsWith("  7 ", StringComparison.Ordinal)) + 1];
        Assert.Contains("^ ✗", under5);
        Assert.Contains("colour", under5);
        Assert.Contains("test.phazer", under7);

        var good = fx.Session.Describe(fx.Workflow, []);
        Assert.True(good.IsValid);
        Assert.Equal(["phase (test.phaser)"], good.Steps);
        Assert.StartsWith("quickstart  ✓ valid", TuiApp.Describe(good, []), StringComparison.Ordinal);
    }

    private static ReconstructionSet Disc(int n, bool is3D = false)
    {
        var shape = is3D ? Shape.Of(n, n, n) : Shape.Of(n, n);
        var obj = new Complex32[shape.Length];
        var support = new byte[shape.Length];
        var c = n / 2;
        for (long i = 0; i < shape.Length; i++)
        {
            int x = (int)(i % n), y = (int)(i / n % n), z = (int)(i / n / n);
            var r2 = ((x - c) * (x - c)) + ((y - c) * (y - c)) + (is3D ? (z - c) * (z - c) : 0);
            if (r2 <= 16)
            {
                obj[i] = Complex32.FromPolar(x == c + 1 && y == c - 1 ? 3 : 1, 0.2f * (x - c));
                support[i] = 1;
            }
        }

        return new ReconstructionSet { Shape = shape, Average = obj, AverageSupport = support };
    }

    [Fact]
    public void Preview_Amplitude_ZoomsToTheSupportAndShowsTheMaximumInTheTopColour()
    {
        var set = Disc(32);
        var image = Preview.Of(set, PreviewQuantity.Amplitude, zoom: true, slice: null)!;
        Assert.Equal((13, 13), (image.Width, image.Height)); // 9 px of disc + 2 px margin each side
        Assert.Equal(Preview.ViridisAt(1), image[2 + 5, 2 + 3]); // (x = c + 1, y = c − 1) relative to the box at c − 4 − 2
        Assert.Equal(Preview.ViridisAt(0), image[0, 0]);
        var whole = Preview.Of(set, PreviewQuantity.Amplitude, zoom: false, slice: null)!;
        Assert.Equal((32, 32), (whole.Width, whole.Height));
    }

    [Fact]
    public void Preview_Phase_IsBlackOutsideTheSupportAndCyclicInside()
    {
        var image = Preview.Of(Disc(32), PreviewQuantity.Phase, zoom: false, slice: null)!;
        Assert.Equal(0, image[0, 0]);
        Assert.Equal(0x00ffff, Preview.PhaseColour(0));
        Assert.Equal(Preview.PhaseColour(-Math.PI), Preview.PhaseColour(Math.PI));
        Assert.NotEqual(0, image[16, 16]);
    }

    [Fact]
    public void Preview_3D_ShowsTheRequestedSlice_AndDiffractionMarksMaskedPixels()
    {
        var set = Disc(16, is3D: true);
        var centre = Preview.Of(set, PreviewQuantity.Support, zoom: false, slice: null)!;
        Assert.Contains("z = 8", centre.Caption);
        Assert.Equal(0xffffff, centre[8, 8]);
        var edge = Preview.Of(set, PreviewQuantity.Support, zoom: false, slice: 0)!;
        Assert.All(edge.Pixels, p => Assert.Equal(0, p));

        Assert.Null(Preview.Of(set, PreviewQuantity.Diffraction, zoom: false, slice: null));
        var mask = new uint[16 * 16];
        mask[5] = (uint)MaskFlags.Beamstop;
        set = Disc(16);
        set.Data = new DiffractionData(Shape.Of(16, 16), Enumerable.Range(0, 256).Select(i => (float)i).ToArray(), mask);
        var diffraction = Preview.Of(set, PreviewQuantity.Diffraction, zoom: false, slice: null)!;
        Assert.Equal(Preview.MaskColour, diffraction[5, 0]);
        Assert.Equal(Preview.InfernoAt(1), diffraction[15, 15]);
    }

    [Fact]
    public void Fit_KeepsTheAspectWithTwoPixelsPerCell()
    {
        var image = new PreviewImage(40, 20, Enumerable.Range(0, 800).ToArray(), "");
        var fit = Preview.Fit(image, 20, 20);
        Assert.Equal((20, 10), (fit.Width, fit.Height));
        Assert.Equal(image[39, 19], fit[19, 9]);
        var tall = Preview.Fit(new PreviewImage(10, 100, new int[1000], ""), 80, 10);
        Assert.Equal((2, 20), (tall.Width, tall.Height));
    }
}
