using Cxdi.Sdk.Data;

namespace Cxdi.Host.Tui;

/// <summary>What the preview shows.</summary>
public enum PreviewQuantity
{
    /// <summary>|ψ| with viridis.</summary>
    Amplitude,

    /// <summary>arg ψ with a cyclic hue wheel, brightness following the amplitude, black outside the support.</summary>
    Phase,

    /// <summary>Support in white on black.</summary>
    Support,

    /// <summary>log₁₀ of the measured intensity with inferno, masked pixels in cyan.</summary>
    Diffraction,
}

/// <summary>A picture for the terminal: <c>Height</c> pixel rows of <c>Width</c> 24-bit colours (0xRRGGBB), row 0 at the top.</summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Pixels">Row-major colours.</param>
/// <param name="Caption">What is shown, in words (quantity, slice, range).</param>
public sealed record PreviewImage(int Width, int Height, int[] Pixels, string Caption)
{
    /// <summary>Colour at (x, y).</summary>
    public int this[int x, int y] => Pixels[(y * Width) + x];
}

/// <summary>
/// Builds terminal previews of reconstructions and data: picks the object (average, else best run), slices 3D, crops to the
/// support, colours with small built-in maps and resamples to the cells available (two pixels per cell with '▀').
/// Independent of the PNG writer plugin (the host references no plugin), with the same conventions.
/// </summary>
public static class Preview
{
    private static readonly int[] Viridis = [0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725];
    private static readonly int[] Inferno = [0x000004, 0x1b0c41, 0x4a0c6b, 0x781c6d, 0xa52c60, 0xcf4446, 0xed6925, 0xfb9b06, 0xf7d13d, 0xfcffa4];
    private static readonly int[] HueWheel = [0xff0000, 0xffff00, 0x00ff00, 0x00ffff, 0x0000ff, 0xff00ff, 0xff0000];

    /// <summary>Colour of masked detector pixels.</summary>
    public const int MaskColour = 0x29c5f6;

    /// <summary>Colour at <paramref name="t"/> (0 … 1, clamped) of viridis.</summary>
    public static int ViridisAt(double t) => Interpolate(Viridis, t);

    /// <summary>Colour at <paramref name="t"/> (0 … 1, clamped) of inferno.</summary>
    public static int InfernoAt(double t) => Interpolate(Inferno, t);

    /// <summary>Hue-wheel colour of a phase in radians (−π and +π both red, 0 cyan).</summary>
    public static int PhaseColour(double radians)
    {
        var t = (radians + Math.PI) / (2 * Math.PI);
        return Interpolate(HueWheel, t - Math.Floor(t));
    }

    /// <summary>
    /// The preview of <paramref name="quantity"/> for <paramref name="set"/> (its average, or its best run), the 3D slice at
    /// <paramref name="slice"/> along z (null: through the support's centre), cropped to the support when <paramref name="zoom"/>.
    /// Null when the set holds nothing to show.
    /// </summary>
    public static PreviewImage? Of(ReconstructionSet set, PreviewQuantity quantity, bool zoom, int? slice)
    {
        ArgumentNullException.ThrowIfNull(set);
        var shape = set.Shape;
        if (quantity == PreviewQuantity.Diffraction)
        {
            return set.Data is { } data ? Diffraction(data, slice) : null;
        }

        var (obj, support, label) = Choose(set);
        if (obj is null)
        {
            return null;
        }

        // bounding box of the support (or of the whole array)
        int z0 = 0, z1 = shape.Nz - 1, y0 = 0, y1 = shape.Ny - 1, x0 = 0, x1 = shape.Nx - 1;
        if (support is not null && Box(support, shape) is { } b)
        {
            (z0, z1, y0, y1, x0, x1) = b;
        }

        var z = Math.Clamp(slice ?? ((z0 + z1) / 2), 0, shape.Nz - 1);
        if (!zoom || support is null)
        {
            (y0, y1, x0, x1) = (0, shape.Ny - 1, 0, shape.Nx - 1);
        }
        else
        {
            (y0, y1, x0, x1) = (Math.Max(0, y0 - 2), Math.Min(shape.Ny - 1, y1 + 2), Math.Max(0, x0 - 2), Math.Min(shape.Nx - 1, x1 + 2));
        }

        int w = x1 - x0 + 1, h = y1 - y0 + 1;
        var pixels = new int[w * h];
        double max = 0;
        foreach (var c in obj)
        {
            max = Math.Max(max, c.Abs);
        }

        var reference = 0.0;
        if (quantity == PreviewQuantity.Phase)
        {
            double re = 0, im = 0;
            for (var i = 0; i < obj.Length; i++)
            {
                if (support is null || support[i] != 0)
                {
                    re += obj[i].Re * obj[i].Abs;
                    im += obj[i].Im * obj[i].Abs;
                }
            }

            reference = Math.Atan2(im, re);
        }

        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = (((long)z * shape.Ny) + y + y0) * shape.Nx + x + x0;
                var v = obj[i];
                pixels[(y * w) + x] = quantity switch
                {
                    PreviewQuantity.Amplitude => ViridisAt(max > 0 ? v.Abs / max : 0),
                    PreviewQuantity.Support => support is not null && support[i] != 0 ? 0xffffff : 0x000000,
                    _ => support is not null && support[i] == 0 ? 0 : Scale(PhaseColour(v.Phase - reference), max > 0 ? Math.Min(1, 1.5 * v.Abs / max) : 0),
                };
            }
        }

        var where = shape.Is3D ? $", xy slice z = {z}" : "";
        return new PreviewImage(w, h, pixels, $"{quantity.ToString().ToLowerInvariant()} of {label}{where}, {w}x{h} px{(zoom && support is not null ? " (zoomed to support)" : "")}");
    }

    /// <summary>Resamples <paramref name="image"/> (nearest neighbour, aspect kept) to fit <paramref name="columns"/> × 2·<paramref name="rows"/> pixels.</summary>
    public static PreviewImage Fit(PreviewImage image, int columns, int rows)
    {
        ArgumentNullException.ThrowIfNull(image);
        var scale = Math.Min((double)columns / image.Width, 2.0 * rows / image.Height);
        var w = Math.Max(1, (int)(image.Width * scale));
        var h = Math.Max(1, (int)(image.Height * scale));
        var pixels = new int[w * h];
        for (var y = 0; y < h; y++)
        {
            var sy = Math.Min(image.Height - 1, (int)((y + 0.5) / scale));
            for (var x = 0; x < w; x++)
            {
                pixels[(y * w) + x] = image[Math.Min(image.Width - 1, (int)((x + 0.5) / scale)), sy];
            }
        }

        return image with { Width = w, Height = h, Pixels = pixels };
    }

    /// <summary>The object a set shows: the average with its support, else the kept (or any) run with the lowest free LLK.</summary>
    public static (Complex32[]? Object, byte[]? Support, string Label) Choose(ReconstructionSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var n = set.Shape.Length;
        byte[]? Valid(byte[]? s) => s is not null && s.LongLength == n && s.Any(v => v != 0) ? s : null;
        if (set.Average is { } a && a.LongLength == n)
        {
            return (a, Valid(set.AverageSupport), $"the average of {set.Runs.Count(r => r.State == RunState.Kept)} kept runs");
        }

        var best = set.Runs.Where(r => r.Object.LongLength == n)
            .OrderBy(r => r.State == RunState.Kept ? 0 : 1)
            .ThenBy(r => double.IsFinite(r.FreeLlk) ? r.FreeLlk : double.MaxValue)
            .FirstOrDefault();
        return best is null ? (null, null, "") : (best.Object, Valid(best.Support), $"run {best.Index}");
    }

    private static PreviewImage Diffraction(DiffractionData data, int? slice)
    {
        var shape = data.Shape;
        var z = Math.Clamp(slice ?? (shape.Nz / 2), 0, shape.Nz - 1);
        var offset = (long)z * shape.Ny * shape.Nx;
        var count = shape.Ny * shape.Nx;
        double max = 0;
        for (var i = 0; i < count; i++)
        {
            if (data.IsMeasured(offset + i) && float.IsFinite(data.Intensity[offset + i]))
            {
                max = Math.Max(max, data.Intensity[offset + i]);
            }
        }

        var floor = max > 1 ? 0.5 : Math.Max(max * 1e-6, double.Epsilon);
        double lo = Math.Log10(floor), hi = Math.Log10(Math.Max(max, floor * 10));
        var pixels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var v = data.Intensity[offset + i];
            pixels[i] = !data.IsMeasured(offset + i) ? MaskColour : InfernoAt((Math.Log10(Math.Max(float.IsFinite(v) ? v : 0, floor)) - lo) / (hi - lo));
        }

        var where = shape.Is3D ? $", frame z = {z}" : "";
        return new PreviewImage(shape.Nx, shape.Ny, pixels, $"diffraction (log scale, masked in cyan){where}, {shape.Nx}x{shape.Ny} px");
    }

    private static (int, int, int, int, int, int)? Box(byte[] support, Shape shape)
    {
        int z0 = int.MaxValue, y0 = int.MaxValue, x0 = int.MaxValue, z1 = -1, y1 = -1, x1 = -1;
        long i = 0;
        for (var z = 0; z < shape.Nz; z++)
        {
            for (var y = 0; y < shape.Ny; y++)
            {
                for (var x = 0; x < shape.Nx; x++, i++)
                {
                    if (support[i] != 0)
                    {
                        (z0, z1, y0, y1, x0, x1) = (Math.Min(z0, z), Math.Max(z1, z), Math.Min(y0, y), Math.Max(y1, y), Math.Min(x0, x), Math.Max(x1, x));
                    }
                }
            }
        }

        return z1 < 0 ? null : (z0, z1, y0, y1, x0, x1);
    }

    private static int Interpolate(int[] stops, double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1);
        var x = t * (stops.Length - 1);
        var i = Math.Min((int)x, stops.Length - 2);
        var f = x - i;
        int a = stops[i], b = stops[i + 1];
        int Channel(int shift) => (int)Math.Round(((a >> shift) & 0xff) + ((((b >> shift) & 0xff) - ((a >> shift) & 0xff)) * f));
        return (Channel(16) << 16) | (Channel(8) << 8) | Channel(0);
    }

    private static int Scale(int rgb, double k) =>
        ((int)Math.Round(((rgb >> 16) & 0xff) * k) << 16) | ((int)Math.Round(((rgb >> 8) & 0xff) * k) << 8) | (int)Math.Round((rgb & 0xff) * k);
}
