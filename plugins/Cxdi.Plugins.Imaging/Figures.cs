using System.Globalization;
using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;
using ScottPlot;
using SkiaSharp;

namespace Cxdi.Plugins.Imaging;

/// <summary>Physical axes of an image panel: the array offset of its first row and column, and the size of one pixel.</summary>
/// <param name="XName">Name of the horizontal axis (x, y or z).</param>
/// <param name="YName">Name of the vertical axis.</param>
/// <param name="Col0">Array index of the first column.</param>
/// <param name="Row0">Array index of the first row.</param>
/// <param name="Step">Length of one pixel in <paramref name="Unit"/>.</param>
/// <param name="Unit">Unit of the axes (px, nm, µm).</param>
internal sealed record AxisFrame(string XName, string YName, int Col0, int Row0, double Step, string Unit)
{
    /// <summary>Pixel axes, or nm/µm when the real-space pixel size (metres) of an array <paramref name="extent"/> pixels wide is known.</summary>
    public static AxisFrame For(string xName, string yName, int col0, int row0, double? pixelSize, int extent)
    {
        if (pixelSize is not { } p || !(p > 0) || !double.IsFinite(p))
        {
            return new AxisFrame(xName, yName, col0, row0, 1, "px");
        }

        return p * extent >= 2e-6
            ? new AxisFrame(xName, yName, col0, row0, p * 1e6, "µm")
            : new AxisFrame(xName, yName, col0, row0, p * 1e9, "nm");
    }
}

/// <summary>One image of a picture: coloured pixels, a title, physical axes and an optional colour bar.</summary>
/// <param name="Pixels">Coloured pixels, row 0 at the top.</param>
/// <param name="Title">Panel title (the picture title when the picture has one panel).</param>
/// <param name="Frame">Axes.</param>
/// <param name="Scale">Colour bar, or null for none.</param>
internal sealed record ImagePanel(Raster<Rgb> Pixels, string Title, AxisFrame Frame, ColorScale? Scale);

/// <summary>A curve of a line chart.</summary>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates.</param>
/// <param name="Label">Legend text, or null to leave it out of the legend.</param>
/// <param name="Colour">Line colour.</param>
/// <param name="Width">Line width in pixels.</param>
internal sealed record Curve(double[] X, double[] Y, string? Label, Rgb Colour, float Width);

/// <summary>Renders pictures with ScottPlot into PNG bytes of an exact size.</summary>
internal static class Figures
{
    private const int TitleStrip = 40;

    /// <summary>Image panels under a common title (side by side, or in a grid of two columns for three or more), each with its own axes and colour bar.</summary>
    public static byte[] Images(string title, IReadOnlyList<ImagePanel> panels, int width, int height)
    {
        return Compose(width, height, panels.Count == 1 ? null : title, panels.Select(p => (Func<Plot>)(() => ImagePlot(p, panels.Count == 1 ? title : p.Title))).ToList());
    }

    /// <summary>Line charts side by side under a common title.</summary>
    public static byte[] Charts(string title, IReadOnlyList<Func<Plot>> charts, int width, int height) =>
        Compose(width, height, charts.Count == 1 ? null : title, charts);

    /// <summary>A line chart of <paramref name="curves"/>; with <paramref name="logY"/> the values are drawn on a log₁₀ axis (all must be positive).</summary>
    public static Plot LineChart(string title, string xLabel, string yLabel, IReadOnlyList<Curve> curves, bool logY)
    {
        var plot = new Plot();
        foreach (var c in curves)
        {
            var y = logY ? c.Y.Select(Math.Log10).ToArray() : c.Y;
            var scatter = plot.Add.ScatterLine(c.X, y, ToColor(c.Colour));
            scatter.LineWidth = c.Width;
            scatter.MarkerSize = 0;
            if (c.Label is not null)
            {
                scatter.LegendText = c.Label;
            }
        }

        if (logY && curves.Count > 0)
        {
            plot.Axes.Left.TickGenerator = LogTicks(curves.Min(c => c.Y.Min()), curves.Max(c => c.Y.Max()));
        }

        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(logY ? yLabel + " (log scale)" : yLabel, 13);
        if (curves.Any(c => c.Label is not null))
        {
            plot.ShowLegend(Alignment.UpperRight);
        }

        return plot;
    }

    /// <summary>ScottPlot colour of an <see cref="Rgb"/>.</summary>
    public static Color ToColor(Rgb c) => new(c.R, c.G, c.B);

    private static byte[] Compose(int width, int height, string? title, IReadOnlyList<Func<Plot>> parts)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"cannot allocate a {width}x{height} drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var top = 0;
        if (title is not null)
        {
            using var heading = new Plot();
            heading.Layout.Frameless();
            heading.HideAxesAndGrid();
            heading.Title(title, 16);
            using var strip = SKSurface.Create(new SKImageInfo(width, TitleStrip, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"cannot allocate a {width}x{TitleStrip} drawing surface");
            heading.Render(strip);
            using var snapshot = strip.Snapshot();
            canvas.DrawImage(snapshot, 0, 0);
            top = TitleStrip;
        }

        // One row for one or two parts; a grid of two columns for more (three slices of a volume fill three of four cells).
        var columns = parts.Count <= 2 ? parts.Count : 2;
        var rows = (parts.Count + columns - 1) / columns;
        for (var i = 0; i < parts.Count; i++)
        {
            int col = i % columns, row = i / columns;
            var x0 = (int)Math.Round((double)width * col / columns);
            var x1 = (int)Math.Round((double)width * (col + 1) / columns);
            var y0 = top + (int)Math.Round((double)(height - top) * row / rows);
            var y1 = top + (int)Math.Round((double)(height - top) * (row + 1) / rows);
            using var plot = parts[i]();
            using var panel = SKSurface.Create(new SKImageInfo(x1 - x0, y1 - y0, SKColorType.Rgba8888, SKAlphaType.Premul))
                ?? throw new InvalidOperationException($"cannot allocate a {x1 - x0}x{y1 - y0} drawing surface");
            plot.Render(panel);
            using var snapshot = panel.Snapshot();
            canvas.DrawImage(snapshot, x0, y0);
        }

        canvas.Flush();
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Ticks for a log₁₀ axis spanning <paramref name="min"/> … <paramref name="max"/>: labelled decades (and 2, 5 within short spans), unlabelled minor ticks at the other integers.</summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(double min, double max)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var lo = (int)Math.Floor(Math.Log10(min));
        var hi = (int)Math.Ceiling(Math.Log10(max));
        var shortSpan = hi - lo <= 2;
        for (var k = lo; k <= hi; k++)
        {
            for (var m = 1; m <= 9; m++)
            {
                var value = m * Math.Pow(10, k);
                if (m == 1 || (shortSpan && m is 2 or 5))
                {
                    ticks.AddMajor(Math.Log10(value), Math.Abs(k) >= 4 ? $"{(m == 1 ? "" : m + "×")}10{Superscript(k)}" : value.ToString("G4", CultureInfo.InvariantCulture));
                }
                else
                {
                    ticks.AddMinor(Math.Log10(value));
                }
            }
        }

        return ticks;
    }

    private static string Superscript(int k) => string.Concat(k.ToString(CultureInfo.InvariantCulture).Select(c => c switch
    {
        '-' => '⁻',
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        _ => '⁹',
    }));

    private static Plot ImagePlot(ImagePanel panel, string title)
    {
        var plot = new Plot();
        var px = panel.Pixels;
        var bytes = new byte[px.Rows, px.Cols, 3];
        for (var r = 0; r < px.Rows; r++)
        {
            for (var c = 0; c < px.Cols; c++)
            {
                var v = px[r, c];
                bytes[r, c, 0] = v.R;
                bytes[r, c, 1] = v.G;
                bytes[r, c, 2] = v.B;
            }
        }

        var f = panel.Frame;
        var left = f.Col0 * f.Step;
        var right = (f.Col0 + px.Cols) * f.Step;
        var upper = f.Row0 * f.Step;
        var lower = (f.Row0 + px.Rows) * f.Step;
        // Row 0 at the top (imshow's origin='upper'): the vertical axis is inverted, from `upper` (row 0) at the top of
        // the panel down to `lower` (the last row) at its bottom, and the bitmap's first row is drawn at the top.
        var image = plot.Add.ImageRect(new Image(bytes), new CoordinateRect(left, right, upper, lower));
        image.AntiAlias = false;
        plot.Axes.SetLimits(left, right, lower, upper);
        plot.Axes.SquareUnits();
        plot.HideGrid();
        plot.DataBackground.Color = ToColor(new Rgb(0xd9, 0xd9, 0xd9));
        plot.Title(title, 15);
        plot.XLabel($"{f.XName} ({f.Unit})", 13);
        plot.YLabel($"{f.YName} ({f.Unit})", 13);
        if (panel.Scale is { } scale)
        {
            var bar = plot.Add.ColorBar(new ScaleSource(scale), Edge.Right);
            bar.Label = scale.Label;
        }

        return plot;
    }

    /// <summary>Feeds a <see cref="ColorScale"/> to a ScottPlot colour bar.</summary>
    private sealed class ScaleSource(ColorScale scale) : IHasColorAxis, IColormap
    {
        public IColormap Colormap => this;

        public string Name => scale.Map.Name;

        public Color GetColor(double normalizedIntensity) => ToColor(scale.Map.Map(normalizedIntensity));

        public ScottPlot.Range GetRange() => new(scale.Min, scale.Max);
    }
}
