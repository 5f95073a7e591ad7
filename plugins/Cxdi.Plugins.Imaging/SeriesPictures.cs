using System.Globalization;
using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;
using ScottPlot;

namespace Cxdi.Plugins.Imaging;

/// <summary>
/// Pictures of a time-resolved series (a set written by <c>cxdi.phase.series</c>: frames along the first axis, one run per
/// frame, per-frame findings): the per-frame metrics against the frame number, and an animated PNG of amplitude and phase.
/// </summary>
internal static class SeriesPictures
{
    /// <summary>Key of the series findings.</summary>
    public const string FindingsKey = "cxdi.phase.series";

    /// <summary>Most frames an animation shows; longer series are subsampled evenly.</summary>
    public const int MaxAnimationFrames = 400;

    private static readonly Rgb Blue = new(0x1f, 0x77, 0xb4);
    private static readonly Rgb Orange = new(0xff, 0x7f, 0x0e);
    private static readonly Rgb Green = new(0x2c, 0xa0, 0x2c);
    private static readonly Rgb Red = new(0xd6, 0x27, 0x28);

    /// <summary>True for a series set: 3D, one run per frame and the series findings.</summary>
    public static bool IsSeries(ReconstructionSet set) =>
        set.Shape.Is3D && set.Findings.ContainsKey(FindingsKey) && set.Runs.Count == set.Shape.Nz && set.Average is { } a && a.LongLength == set.Shape.Length;

    /// <summary>The series pictures, by name: <c>series_metrics</c> and <c>movie</c> (APNG).</summary>
    public static IEnumerable<(string Name, Func<byte[]> Render)> For(ReconstructionSet set, PngWriterOptions o)
    {
        yield return ("series_metrics", () => Metrics(set, o));
        yield return ("movie", () => Movie(set, o));
    }

    /// <summary>LLK and free LLK, support size, R_match to the previous frame and (simulations) the error to the truth, against the frame number.</summary>
    internal static byte[] Metrics(ReconstructionSet set, PngWriterOptions o)
    {
        var frames = set.Runs.Select(r => (double)r.Index).ToArray();
        var charts = new List<Func<Plot>>
        {
            () => Figures.LineChart("log-likelihood", "frame", "LLK per pixel", Curves(frames, [("LLK", set.Runs.Select(r => r.Llk).ToArray(), Blue), ("free LLK", set.Runs.Select(r => r.FreeLlk).ToArray(), Orange)]), logY: false),
            () => Figures.LineChart("support", "frame", "pixels", Curves(frames, [(null, set.Runs.Select(r => (double)r.SupportSize).ToArray(), Green)]), logY: false),
            () => Figures.LineChart("R_match to the previous frame", "frame", "R_match", Curves(frames, [(null, set.Runs.Select(r => r.RMatch ?? double.NaN).ToArray(), Red)]), logY: false),
        };
        var findings = set.Findings[FindingsKey] as IDictionary<string, object>;
        string title = string.Create(CultureInfo.InvariantCulture, $"Series — {set.Shape.Nz} frames");
        if (findings is not null && findings.TryGetValue("error_to_truth", out var e) && e is double[] errors && errors.Length == frames.Length)
        {
            charts.Add(() => Figures.LineChart("error to the truth (aligned)", "frame", "relative error", Curves(frames, [(null, errors, Blue)]), logY: false));
            var median = errors.Where(double.IsFinite).OrderBy(v => v).ToArray();
            if (median.Length > 0)
            {
                title += string.Create(CultureInfo.InvariantCulture, $", median error to the truth {median[median.Length / 2]:F4}");
            }
        }

        return Figures.Charts(title, charts, o.Width, o.Height);
    }

    private static List<Curve> Curves(double[] x, IEnumerable<(string? Label, double[] Y, Rgb Colour)> series)
    {
        var curves = new List<Curve>();
        foreach (var (label, y, colour) in series)
        {
            var keep = Enumerable.Range(0, x.Length).Where(i => double.IsFinite(y[i])).ToArray();
            if (keep.Length > 0)
            {
                curves.Add(new Curve(keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray(), label, colour, 1.8f));
            }
        }

        return curves;
    }

    /// <summary>
    /// An animated PNG: per frame, the amplitude (colour map scaled to the largest amplitude of the whole series) beside the
    /// phase (cyclic map, brightness from the amplitude, black outside the support), cropped to the union of the supports.
    /// </summary>
    internal static byte[] Movie(ReconstructionSet set, PngWriterOptions o)
    {
        var shape = set.Shape;
        int ny = shape.Ny, nx = shape.Nx, pixels = ny * nx;
        var stack = set.Average!;
        var supports = set.AverageSupport is { } s && s.LongLength == shape.Length ? s : null;
        var union = new byte[pixels];
        for (long i = 0; i < stack.LongLength; i++)
        {
            if (supports is null ? stack[i].Abs > 0 : supports[i] != 0)
            {
                union[i % pixels] = 1;
            }
        }

        var box = Slicing.BoundingBox(union, Shape.Of(ny, nx)) ?? VoxelBox.Of(Shape.Of(ny, nx));
        const int margin = 4;
        int y0 = Math.Max(0, box.Y0 - margin), y1 = Math.Min(ny, box.Y1 + margin), x0 = Math.Max(0, box.X0 - margin), x1 = Math.Min(nx, box.X1 + margin);
        int h = y1 - y0, w = x1 - x0;
        var zoom = Math.Clamp(240 / Math.Max(h, 1), 1, 6);
        const int gap = 4;
        var width = ((2 * w) + gap) * zoom;
        var height = h * zoom;
        double max = 0;
        foreach (var z in stack)
        {
            max = Math.Max(max, z.Abs);
        }

        var amplitudeMap = ColorMap.Of(o.AmplitudeColormap);
        var phaseMap = ColorMap.Of(o.PhaseColormap);
        var step = Math.Max(1, (int)Math.Ceiling(shape.Nz / (double)MaxAnimationFrames));
        var frames = new List<Rgb[]>();
        for (var f = 0; f < shape.Nz; f += step)
        {
            var obj = new Complex32[pixels];
            Array.Copy(stack, (long)f * pixels, obj, 0, pixels);
            byte[]? support = null;
            if (supports is not null)
            {
                support = new byte[pixels];
                Array.Copy(supports, (long)f * pixels, support, 0, pixels);
            }

            var phase = Colouring.ReferencedPhase(obj, support);
            var image = new Rgb[width * height];
            Array.Fill(image, new Rgb(255, 255, 255));
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var i = ((y + y0) * nx) + x + x0;
                    var a = obj[i].Abs;
                    var amplitude = amplitudeMap.Map(max > 0 ? a / max : 0);
                    var inside = support is null || support[i] != 0;
                    var p = !inside && o.PhaseShading != PhaseShading.Flat ? Rgb.Black
                        : o.PhaseShading == PhaseShading.Amplitude ? phaseMap.MapPhase(phase[i]).Scaled(max > 0 ? Math.Min(1, a / max) : 0)
                        : phaseMap.MapPhase(phase[i]);
                    for (var dy = 0; dy < zoom; dy++)
                    {
                        var row = ((y * zoom) + dy) * width;
                        for (var dx = 0; dx < zoom; dx++)
                        {
                            image[row + (x * zoom) + dx] = amplitude;
                            image[row + ((w + gap + x) * zoom) + dx] = p;
                        }
                    }
                }
            }

            frames.Add(image);
        }

        return ApngEncoder.Encode(frames, width, height, delayMs: 80);
    }
}
