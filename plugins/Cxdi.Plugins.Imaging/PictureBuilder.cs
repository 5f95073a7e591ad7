using System.Globalization;
using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Data;
using ScottPlot;

namespace Cxdi.Plugins.Imaging;

/// <summary>Decides which pictures an item yields and how each is drawn; rendering happens lazily, one picture at a time.</summary>
internal static class PictureBuilder
{
    private static readonly Rgb[] RunColours =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf), new(0x7f, 0x7f, 0x7f),
    ];

    private static readonly Rgb RejectedColour = new(0xbb, 0xbb, 0xbb);
    private static readonly Rgb FailedColour = new(0xe8, 0x9a, 0x9a);

    /// <summary>Pictures of a reconstruction set, in the order of <see cref="PngWriterOptions.Pictures"/>.</summary>
    public static IEnumerable<(Picture Picture, Func<byte[]> Render)> ForSet(ReconstructionSet set, PngWriterOptions o)
    {
        var chosen = ChooseObject(set);
        foreach (var picture in o.Pictures.Distinct())
        {
            switch (picture)
            {
                case Picture.Amplitude when chosen is { } c:
                    yield return (picture, () => AmplitudePicture(c.Object, c.Support, set.Shape, set.PixelSize, $"Amplitude — {c.Label}", o));
                    break;
                case Picture.Phase when chosen is { } c:
                    yield return (picture, () => PhasePicture(c.Object, c.Support, set.Shape, set.PixelSize, $"Phase — {c.Label}", o));
                    break;
                case Picture.Support when chosen is { Support: { } support } c:
                    yield return (picture, () => SupportPicture(support, set.Shape, set.PixelSize, $"Support — {c.Label}", o));
                    break;
                case Picture.Diffraction when set.Data is { } data:
                    yield return (picture, () => DiffractionPicture(data, o));
                    break;
                case Picture.Metrics when set.Runs.Any(r => r.History.Count > 0):
                    yield return (picture, () => MetricsPicture(set, o));
                    break;
                case Picture.Prtf when set.Prtf is { Frequency.Length: > 0 } prtf:
                    yield return (picture, () => PrtfPicture(prtf, set.PrtfCutoff, set.PixelSize, o));
                    break;
                case Picture.AmplitudeUncertainty when set.AmplitudeUncertainty is { } spread && spread.LongLength == set.Shape.Length:
                    yield return (picture, () => UncertaintyPicture(spread, set, "Amplitude std", "std of amplitude (a.u.)", o));
                    break;
                case Picture.PhaseUncertainty when set.PhaseUncertainty is { } spread && spread.LongLength == set.Shape.Length:
                    yield return (picture, () => UncertaintyPicture(spread, set, "Phase spread (rad)", "phase std about the average (rad)", o));
                    break;
                case Picture.Fsc when set.FscHalfRuns is { Frequency.Length: > 0 } || set.FscHalfPixels is { Frequency.Length: > 0 }:
                    yield return (picture, () => FscPicture(set, o));
                    break;
            }
        }
    }

    /// <summary>Pictures of diffraction data: the intensity, and the ground truth and initial support when present.</summary>
    public static IEnumerable<(Picture Picture, Func<byte[]> Render)> ForData(DiffractionData data, PngWriterOptions o)
    {
        var truthSupport = data.GroundTruth is { } t && t.LongLength == data.Shape.Length ? NonZero(t) : null;
        foreach (var picture in o.Pictures.Distinct())
        {
            switch (picture)
            {
                case Picture.Diffraction:
                    yield return (picture, () => DiffractionPicture(data, o));
                    break;
                case Picture.Amplitude when truthSupport is not null:
                    yield return (picture, () => AmplitudePicture(data.GroundTruth!, truthSupport, data.Shape, null, "Ground truth amplitude", o));
                    break;
                case Picture.Phase when truthSupport is not null:
                    yield return (picture, () => PhasePicture(data.GroundTruth!, truthSupport, data.Shape, null, "Ground truth phase", o));
                    break;
                case Picture.Support when data.InitialSupport is { } s && s.LongLength == data.Shape.Length:
                    yield return (picture, () => SupportPicture(s, data.Shape, null, "Initial support", o));
                    break;
            }
        }
    }

    /// <summary>The object a set's object pictures show: the average, the single run, or the best run, with a label naming it.</summary>
    internal static (Complex32[] Object, byte[]? Support, string Label)? ChooseObject(ReconstructionSet set)
    {
        var n = set.Shape.Length;
        byte[]? Valid(byte[]? s) => s is not null && s.LongLength == n && s.Any(b => b != 0) ? s : null;
        if (set.Average is { } avg && avg.LongLength == n)
        {
            var kept = set.Runs.Count(r => r.State == RunState.Kept);
            if (set.Runs.Count == 0)
            {
                return (avg, Valid(set.AverageSupport), "average");
            }

            return (avg, Valid(set.AverageSupport), $"average of {kept} kept run{(kept == 1 ? "" : "s")} (of {set.Runs.Count})");
        }

        var candidates = set.Runs.Where(r => r.Object.LongLength == n).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        if (candidates.Count == 1)
        {
            return (candidates[0].Object, Valid(candidates[0].Support), RunLabel(candidates[0]));
        }

        var best = candidates
            .OrderBy(r => r.State == RunState.Kept ? 0 : r.State == RunState.Rejected ? 1 : 2)
            .ThenBy(r => double.IsFinite(r.FreeLlk) ? r.FreeLlk : double.MaxValue)
            .First();
        return (best.Object, Valid(best.Support), $"best of {candidates.Count} runs, {RunLabel(best)}");
    }

    /// <summary>"run 3 · seed 42 · LLK 1.23 · free LLK 1.25 · kept".</summary>
    internal static string RunLabel(Reconstruction r) =>
        string.Create(CultureInfo.InvariantCulture, $"run {r.Index} · seed {r.Seed} · LLK {r.Llk:G4} · free LLK {r.FreeLlk:G4} · {r.State.ToString().ToLowerInvariant()}");

    private static byte[] NonZero(Complex32[] values)
    {
        var mask = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            mask[i] = values[i].Norm2 > 0 ? (byte)1 : (byte)0;
        }

        return mask;
    }

    /// <summary>The part of the array object pictures show, and the voxel their 3D slices go through (the centre of the support's box).</summary>
    private static (VoxelBox Region, (int Z, int Y, int X) Centre) Region(byte[]? support, Shape shape, PngWriterOptions o)
    {
        var box = support is null ? null : Slicing.BoundingBox(support, shape);
        var centre = (box ?? VoxelBox.Of(shape)).Centre;
        return (o.CropToSupport && box is { } b ? b.Expanded(o.CropMargin, shape) : VoxelBox.Of(shape), centre);
    }

    private static AxisFrame Frame(SlicePlane plane, VoxelBox region, double? pixelSize, Shape shape) => plane switch
    {
        SlicePlane.Xy => AxisFrame.For("x", "y", region.X0, region.Y0, pixelSize, shape.Nx),
        SlicePlane.Xz => AxisFrame.For("x", "z", region.X0, region.Z0, pixelSize, shape.Nx),
        _ => AxisFrame.For("y", "z", region.Y0, region.Z0, pixelSize, shape.Ny),
    };

    private static string PlaneTitle(SlicePlane plane, int index) => plane switch
    {
        SlicePlane.Xy => $"xy plane at z = {index}",
        SlicePlane.Xz => $"xz plane at y = {index}",
        _ => $"yz plane at x = {index}",
    };

    private static byte[] AmplitudePicture(Complex32[] obj, byte[]? support, Shape shape, double? pixelSize, string title, PngWriterOptions o)
    {
        var amplitude = Colouring.Amplitude(obj);
        var scale = new ColorScale(ColorMap.Of(o.AmplitudeColormap), 0, Math.Max(Colouring.MaxFinite(amplitude), float.Epsilon), "amplitude (a.u.)");
        var (region, centre) = Region(support, shape, o);
        var panels = Slicing.Views(amplitude, shape, region, centre)
            .Select(v => new ImagePanel(Colouring.Scalar(v.Raster, scale), PlaneTitle(v.Plane, v.Index), Frame(v.Plane, region, pixelSize, shape), scale))
            .ToList();
        return Figures.Images(title, panels, o.Width, o.Height);
    }

    private static byte[] PhasePicture(Complex32[] obj, byte[]? support, Shape shape, double? pixelSize, string title, PngWriterOptions o)
    {
        var amplitude = Colouring.Amplitude(obj);
        var max = Colouring.BrightnessReference(amplitude, support);
        var phase = Colouring.ReferencedPhase(obj, support);
        var map = ColorMap.Of(o.PhaseColormap);
        var scale = new ColorScale(map, -Math.PI, Math.PI, "phase (rad)");
        var (region, centre) = Region(support, shape, o);
        var amplitudeViews = Slicing.Views(amplitude, shape, region, centre);
        var supportViews = support is null ? null : Slicing.Views(support, shape, region, centre);
        var phaseViews = Slicing.Views(phase, shape, region, centre);
        var shading = o.PhaseShading switch
        {
            Rendering.PhaseShading.Amplitude => " (brightness = amplitude)",
            Rendering.PhaseShading.Support => " (inside the support)",
            _ => "",
        };
        var panels = phaseViews
            .Select((v, i) => new ImagePanel(
                Colouring.Phase(v.Raster, amplitudeViews[i].Raster, max, supportViews?[i].Raster, map, o.PhaseShading),
                PlaneTitle(v.Plane, v.Index),
                Frame(v.Plane, region, pixelSize, shape),
                scale))
            .ToList();
        return Figures.Images(title + shading, panels, o.Width, o.Height);
    }

    private static byte[] SupportPicture(byte[] support, Shape shape, double? pixelSize, string title, PngWriterOptions o)
    {
        long size = support.Count(b => b != 0);
        var (region, centre) = Region(support, shape, o);
        var scale = new ColorScale(ColorMap.Gray, 0, 1, "support");
        var panels = Slicing.Views(support, shape, region, centre)
            .Select(v => new ImagePanel(Colouring.Scalar(v.Raster.Select(b => b != 0 ? 1f : 0f), scale), PlaneTitle(v.Plane, v.Index), Frame(v.Plane, region, pixelSize, shape), null))
            .ToList();
        var fraction = string.Create(CultureInfo.InvariantCulture, $"{size} px, {100.0 * size / shape.Length:G3} % of the array");
        return Figures.Images($"{title} — {fraction}", panels, o.Width, o.Height);
    }

    private static byte[] DiffractionPicture(DiffractionData data, PngWriterOptions o)
    {
        var (floor, logMin, logMax) = Colouring.LogRange(data.Intensity, data.Mask, o.LogFloor);
        var scale = new ColorScale(ColorMap.Of(o.DiffractionColormap), logMin, logMax, "log₁₀ intensity (photons)");
        Rgb.TryParse(o.MaskColor, out var maskColour);
        var region = VoxelBox.Of(data.Shape);
        var intensity = Slicing.Views(data.Intensity, data.Shape, region, region.Centre);
        var mask = Slicing.Views(data.Mask, data.Shape, region, region.Centre);
        long masked = data.Mask.Count(m => (m & (uint)MaskFlags.Unknown) != 0);
        var panels = intensity
            .Select((v, i) => new ImagePanel(
                Colouring.LogIntensity(v.Raster, mask[i].Raster, floor, scale, maskColour),
                PlaneTitle(v.Plane, v.Index),
                Frame(v.Plane, region, null, data.Shape),
                scale))
            .ToList();
        var title = string.Create(CultureInfo.InvariantCulture, $"Diffraction {data.Shape}, log scale — {(masked == 0 ? "no pixel masked" : $"{masked} masked px in {o.MaskColor}")}");
        return Figures.Images(title, panels, o.Width, o.Height);
    }

    private static byte[] MetricsPicture(ReconstructionSet set, PngWriterOptions o)
    {
        var runs = set.Runs.Where(r => r.History.Count > 0).OrderBy(r => r.State == RunState.Kept ? 1 : 0).ThenBy(r => r.Index).ToList();
        var charts = new List<Func<Plot>>
        {
            () => MetricChart("LLK", runs, s => s.Llk),
        };
        if (runs.Any(r => r.History.Any(s => double.IsFinite(s.FreeLlk))))
        {
            charts.Add(() => MetricChart("free LLK", runs, s => s.FreeLlk));
        }

        var kept = set.Runs.Count(r => r.State == RunState.Kept);
        return Figures.Charts($"Metrics — {set.Runs.Count} runs, {kept} kept", charts, o.Width, o.Height);
    }

    private static Plot MetricChart(string name, IReadOnlyList<Reconstruction> runs, Func<MetricSample, double> value)
    {
        var curves = new List<Curve>();
        bool rejectedLabelled = false, failedLabelled = false;
        var colour = 0;
        foreach (var r in runs)
        {
            var points = r.History.Where(s => double.IsFinite(value(s))).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var x = points.Select(s => (double)s.Cycle).ToArray();
            var y = points.Select(value).ToArray();
            switch (r.State)
            {
                case RunState.Kept:
                    curves.Add(new Curve(x, y, string.Create(CultureInfo.InvariantCulture, $"run {r.Index} (kept)"), RunColours[colour++ % RunColours.Length], 2.2f));
                    break;
                case RunState.Failed or RunState.Cancelled:
                    curves.Add(new Curve(x, y, failedLabelled ? null : "failed", FailedColour, 1f));
                    failedLabelled = true;
                    break;
                default:
                    curves.Add(new Curve(x, y, rejectedLabelled ? null : "not kept", RejectedColour, 1f));
                    rejectedLabelled = true;
                    break;
            }
        }

        var logY = curves.Count > 0 && curves.All(c => c.Y.All(v => v > 0));
        return Figures.LineChart(name, "cycle", name, curves, logY);
    }

    private static byte[] PrtfPicture(FrequencyCurve prtf, double? cutoff, double? pixelSize, PngWriterOptions o)
    {
        var title = "PRTF";
        if (cutoff is { } c && c > 0)
        {
            title += string.Create(CultureInfo.InvariantCulture, $" — cutoff at {c:F2} × Nyquist");
            if (pixelSize is { } p && p > 0)
            {
                title += string.Create(CultureInfo.InvariantCulture, $", half-period resolution {p / c * 1e9:F1} nm");
            }
        }
        else
        {
            title += " — stays above 1/e up to Nyquist";
        }

        return Figures.Charts(title, [() => PrtfChart(prtf, cutoff, title)], o.Width, o.Height);
    }

    /// <summary>A per-pixel spread map of the kept runs (black where undefined: the phase outside the support, as in the phase picture), cropped and sliced like the amplitude.</summary>
    private static byte[] UncertaintyPicture(float[] spread, ReconstructionSet set, string title, string label, PngWriterOptions o)
    {
        var support = set.AverageSupport is { } s && s.LongLength == spread.LongLength && s.Any(b => b != 0) ? s : null;
        var scale = new ColorScale(ColorMap.Of(o.AmplitudeColormap), 0, Math.Max(Colouring.MaxFinite(spread), float.Epsilon), label);
        var undefined = Rgb.Black;
        var (region, centre) = Region(support, set.Shape, o);
        var panels = Slicing.Views(spread, set.Shape, region, centre)
            .Select(v => new ImagePanel(v.Raster.Select(x => float.IsFinite(x) ? scale.Map.Map(scale.Position(x)) : undefined), PlaneTitle(v.Plane, v.Index), Frame(v.Plane, region, set.PixelSize, set.Shape), scale))
            .ToList();
        var kept = set.Runs.Count(r => r.State == RunState.Kept);
        var inside = support is null ? spread.Where(float.IsFinite).ToArray() : spread.Where((x, i) => support[i] != 0 && float.IsFinite(x)).ToArray();
        Array.Sort(inside);
        var median = inside.Length > 0 ? inside[inside.Length / 2] : float.NaN;
        var runs = kept > 0 ? string.Create(CultureInfo.InvariantCulture, $" of {kept} kept runs") : "";
        return Figures.Images(string.Create(CultureInfo.InvariantCulture, $"{title}{runs} — median {median:G3} in support"), panels, o.Width, o.Height);
    }

    /// <summary>The FSC curves (half runs, half pixels) with the 1/7 threshold, and the PRTF with 1/e, on one chart.</summary>
    private static byte[] FscPicture(ReconstructionSet set, PngWriterOptions o)
    {
        var parts = new List<string>();
        if (set.FscHalfRuns is { Frequency.Length: > 0 })
        {
            parts.Add(CutoffText("half runs", set.FscHalfRunsCutoff, set.PixelSize));
        }

        if (set.FscHalfPixels is { Frequency.Length: > 0 })
        {
            parts.Add(CutoffText("half pixels", set.FscHalfPixelsCutoff, set.PixelSize));
        }

        var title = "FSC — " + string.Join("; ", parts);
        return Figures.Charts(title, [() => FscChart(set, title)], o.Width, o.Height);
    }

    private static string CutoffText(string name, double? cutoff, double? pixelSize)
    {
        if (cutoff is not { } c || !(c > 0))
        {
            return $"{name} above 1/7 up to Nyquist";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{name} {c:F2} × Nyquist");
        return pixelSize is { } p && p > 0 ? text + string.Create(CultureInfo.InvariantCulture, $" ({p / c * 1e9:F1} nm)") : text;
    }

    private static Plot FscChart(ReconstructionSet set, string title)
    {
        var curves = new List<Curve>();
        var cutoffs = new List<(double Cutoff, Rgb Colour, string Name)>();
        if (set.FscHalfRuns is { Frequency.Length: > 0 } runs)
        {
            curves.Add(new Curve(runs.Frequency, runs.Value, "FSC half runs", RunColours[0], 2.2f));
            if (set.FscHalfRunsCutoff is { } c && c > 0)
            {
                cutoffs.Add((c, RunColours[0], "half runs"));
            }
        }

        if (set.FscHalfPixels is { Frequency.Length: > 0 } pixels)
        {
            curves.Add(new Curve(pixels.Frequency, pixels.Value, "FSC half pixels", RunColours[1], 2.2f));
            if (set.FscHalfPixelsCutoff is { } c && c > 0)
            {
                cutoffs.Add((c, RunColours[1], "half pixels"));
            }
        }

        if (set.Prtf is { Frequency.Length: > 0 } prtf)
        {
            curves.Add(new Curve(prtf.Frequency, prtf.Value, "PRTF", RunColours[2], 1.5f));
        }

        var plot = Figures.LineChart(title, "spatial frequency (fraction of Nyquist)", "correlation", curves, logY: false);
        var seventh = plot.Add.HorizontalLine(1.0 / 7, 1.5f, Figures.ToColor(new Rgb(0x55, 0x55, 0x55)), LinePattern.Dashed);
        seventh.LegendText = "1/7 (FSC)";
        if (set.Prtf is { Frequency.Length: > 0 })
        {
            var e = plot.Add.HorizontalLine(1 / Math.E, 1f, Figures.ToColor(RunColours[2]), LinePattern.Dotted);
            e.LegendText = "1/e (PRTF)";
        }

        foreach (var (c, colour, name) in cutoffs)
        {
            var line = plot.Add.VerticalLine(c, 1.5f, Figures.ToColor(colour), LinePattern.Dashed);
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"cutoff {name} {c:F2}");
        }

        var values = curves.SelectMany(c => c.Y).Where(double.IsFinite).DefaultIfEmpty(1).ToArray();
        var frequencies = curves.SelectMany(c => c.X).DefaultIfEmpty(1).ToArray();
        plot.Axes.SetLimits(0, Math.Max(1, frequencies.Max()), Math.Min(0, values.Min() * 1.05), Math.Max(1.05, values.Max() * 1.05));
        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }

    private static Plot PrtfChart(FrequencyCurve prtf, double? cutoff, string title)
    {
        var plot = Figures.LineChart(title, "spatial frequency (fraction of Nyquist)", "PRTF", [new Curve(prtf.Frequency, prtf.Value, "PRTF", new Rgb(0x1f, 0x77, 0xb4), 2.2f)], logY: false);
        var threshold = plot.Add.HorizontalLine(1 / Math.E, 1.5f, Figures.ToColor(new Rgb(0x55, 0x55, 0x55)), LinePattern.Dashed);
        threshold.LegendText = "1/e";
        if (cutoff is { } c && c > 0)
        {
            var line = plot.Add.VerticalLine(c, 1.5f, Figures.ToColor(new Rgb(0xd6, 0x27, 0x28)), LinePattern.Dashed);
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"cutoff {c:F2}");
        }

        var top = prtf.Value.Where(double.IsFinite).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimits(0, Math.Max(1, prtf.Frequency.Max()), 0, Math.Max(1.05, top * 1.05));
        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }
}
