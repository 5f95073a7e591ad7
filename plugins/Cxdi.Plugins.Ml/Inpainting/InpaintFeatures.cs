using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Ml.Inpainting;

/// <summary>
/// The inpainting feature contract (version 2), 13 floats per pixel to fill, all on the Anscombe scale A = 2√(I + 3/8) of
/// the measured pixels: the Friedel mate's A (centre (ny/2, nx/2)) and whether it is measured, the mean A of the measured
/// ring at the same |q|, the distance (px) to the nearest measured pixel and that pixel's A, the mean A and measured
/// fraction in the 7×7 window, the mean A in the 15×15 window, |q| over the largest |q|, the log-slope of the radial
/// profile at the nearest measured ring outward (ln of its mean intensity over the mean 3 px further out) and the radial
/// distance to that ring, and (version 2) the local Friedel asymmetry: the mean over the 15×15 window's measured pixels
/// whose Friedel mate is measured too of (A − A_mate)²/2 − 1, the excess over Poisson noise (about 0 for real-valued
/// objects, large for phased ones; the whole pattern's mean when the window has no such pair), and the same excess over
/// the 8 innermost radii that hold measured pairs (one value per pattern: how strongly the object is phased). The reference intensity
/// is the Friedel mate's when measured, else the ring's; the target is ln(λ + 1) − ln(reference + 1).
/// </summary>
internal static class InpaintFeatures
{
    /// <summary>Features per pixel.</summary>
    public const int Width = 13;

    /// <summary>Index of the local Friedel asymmetry in a feature row.</summary>
    public const int Asymmetry = 11;

    /// <summary>Index of the central (pattern-level) Friedel asymmetry in a feature row.</summary>
    public const int CentralAsymmetry = 12;

    /// <summary>The feature contract id recorded in model provenance.</summary>
    public const string Contract = "friedel+ring+nearest+windows+profile-slope+friedel-asymmetry/v2";

    /// <summary>Flags filled by default: pixels never measured because something blocked or missed them.</summary>
    public const uint DefaultFill = (uint)(MaskFlags.Beamstop | MaskFlags.Gap | MaskFlags.Missing | MaskFlags.Empty | MaskFlags.Dead);

    /// <summary>The pixels to fill: unknown with any of <paramref name="fill"/>'s flags.</summary>
    public static int[] Targets(uint[] mask, uint fill) =>
        Enumerable.Range(0, mask.Length).Where(i => (mask[i] & fill) != 0).ToArray();

    /// <summary>The features of <paramref name="targets"/>, plus each target's distance to the nearest measured pixel.</summary>
    public static (FeatureTable Table, float[] Distance) Compute(float[] counts, uint[] mask, int ny, int nx, int[] targets)
    {
        var a = PatchFeatures.Anscombe(counts);
        var cy = ny / 2;
        var cx = nx / 2;
        var known = new bool[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            known[i] = PatchFeatures.Known(mask, i);
        }

        // Radial profile of the measured pixels.
        var bins = (int)Math.Ceiling(Math.Sqrt((cy * cy) + (cx * cx))) + 2;
        var sum = new double[bins];
        var n = new int[bins];
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var i = (y * nx) + x;
                if (known[i])
                {
                    var b = (int)Math.Round(Math.Sqrt(((y - cy) * (y - cy)) + ((x - cx) * (x - cx))));
                    sum[b] += a[i];
                    n[b]++;
                }
            }
        }

        var ring = new float[bins];
        for (var b = 0; b < bins; b++)
        {
            var lo = b;
            var hi = b;
            while ((lo < 0 || n[lo] == 0) && (hi >= bins || n[hi] == 0) && (lo >= 0 || hi < bins))
            {
                lo--;
                hi++;
            }

            ring[b] = lo >= 0 && n[lo] > 0 ? (float)(sum[lo] / n[lo]) : hi < bins && n[hi] > 0 ? (float)(sum[hi] / n[hi]) : 0;
        }

        var outward = new int[bins];
        var next = -1;
        for (var b = bins - 1; b >= 0; b--)
        {
            next = n[b] > 0 ? b : next;
            outward[b] = next;
        }

        float RingAt(int b) => b >= 0 && b < bins ? ring[b] : ring[bins - 1];

        // Friedel asymmetry excess per measured pixel with a measured mate (NaN elsewhere), and its mean over the pattern.
        var excess = new float[a.Length];
        double excessSum = 0;
        var excessCount = 0;
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var i = (y * nx) + x;
                var my = (2 * cy) - y;
                var mx = (2 * cx) - x;
                if (known[i] && my >= 0 && my < ny && mx >= 0 && mx < nx && known[(my * nx) + mx])
                {
                    var diff = a[i] - a[(my * nx) + mx];
                    excess[i] = (diff * diff / 2) - 1;
                    excessSum += excess[i];
                    excessCount++;
                }
                else
                {
                    excess[i] = float.NaN;
                }
            }
        }

        var globalExcess = excessCount > 0 ? (float)(excessSum / excessCount) : 0;
        var centralExcess = CentralExcess(excess, ny, nx, cy, cx, 8, globalExcess);
        var (distance, nearest) = NearestMeasured(known, ny, nx);
        var table = new FeatureTable(Width, targets.Length);
        var d = new float[targets.Length];
        var qmax = MathF.Sqrt((cy * cy) + (cx * cx));
        foreach (var i in targets)
        {
            var y = i / nx;
            var x = i % nx;
            var row = table.Add(0);
            var fy = (2 * cy) - y;
            var fx = (2 * cx) - x;
            var fi = (fy * nx) + fx;
            var friedel = fy >= 0 && fy < ny && fx >= 0 && fx < nx && known[fi];
            var r = MathF.Sqrt(((y - cy) * (y - cy)) + ((x - cx) * (x - cx)));
            var ringValue = ring[(int)MathF.Round(r)];
            row[0] = friedel ? a[fi] : ringValue;
            row[1] = friedel ? 1 : 0;
            row[2] = ringValue;
            row[3] = distance[i];
            row[4] = nearest[i] >= 0 ? a[nearest[i]] : ringValue;
            var (m7, f7) = WindowMean(a, known, ny, nx, y, x, 3);
            row[5] = f7 > 0 ? m7 : ringValue;
            row[6] = f7;
            var (m15, f15) = WindowMean(a, known, ny, nx, y, x, 7);
            row[7] = f15 > 0 ? m15 : ringValue;
            row[8] = r / qmax;
            var rb = (int)MathF.Round(r);
            var edge = outward[rb] >= 0 ? outward[rb] : rb;
            row[9] = MathF.Log(Intensity(RingAt(edge)) + 1) - MathF.Log(Intensity(RingAt(edge + 3)) + 1);
            row[10] = edge - r;
            row[Asymmetry] = WindowExcess(excess, ny, nx, y, x, 7, globalExcess);
            row[CentralAsymmetry] = centralExcess;
            d[table.Count - 1] = distance[i];
        }

        return (table, d);
    }

    /// <summary>The intensity whose Anscombe value is <paramref name="a"/>.</summary>
    public static float Intensity(float a) => PatchFeatures.Inverse(a);

    /// <summary>The reference intensity of a feature row (Friedel mate if measured, else the ring mean).</summary>
    public static float Reference(ReadOnlySpan<float> row) => Intensity(row[0]);

    private static (float Mean, float Fraction) WindowMean(float[] a, bool[] known, int ny, int nx, int y, int x, int half)
    {
        double s = 0;
        int k = 0, total = 0;
        for (var yy = Math.Max(0, y - half); yy <= Math.Min(ny - 1, y + half); yy++)
        {
            for (var xx = Math.Max(0, x - half); xx <= Math.Min(nx - 1, x + half); xx++)
            {
                total++;
                if (known[(yy * nx) + xx])
                {
                    s += a[(yy * nx) + xx];
                    k++;
                }
            }
        }

        return k == 0 ? (0, 0) : ((float)(s / k), k / (float)total);
    }

    /// <summary>The mean excess over the <paramref name="radii"/> innermost integer radii that hold pixels with an excess.</summary>
    private static float CentralExcess(float[] excess, int ny, int nx, int cy, int cx, int radii, float fallback)
    {
        var bins = (int)Math.Ceiling(Math.Sqrt((cy * cy) + (cx * cx))) + 2;
        var sum = new double[bins];
        var n = new int[bins];
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var e = excess[(y * nx) + x];
                if (!float.IsNaN(e))
                {
                    var b = (int)Math.Round(Math.Sqrt(((y - cy) * (y - cy)) + ((x - cx) * (x - cx))));
                    sum[b] += e;
                    n[b]++;
                }
            }
        }

        double s = 0;
        int k = 0, used = 0;
        for (var b = 0; b < bins && used < radii; b++)
        {
            if (n[b] > 0)
            {
                s += sum[b];
                k += n[b];
                used++;
            }
        }

        return k == 0 ? fallback : (float)(s / k);
    }

    private static float WindowExcess(float[] excess, int ny, int nx, int y, int x, int half, float fallback)
    {
        double s = 0;
        var k = 0;
        for (var yy = Math.Max(0, y - half); yy <= Math.Min(ny - 1, y + half); yy++)
        {
            for (var xx = Math.Max(0, x - half); xx <= Math.Min(nx - 1, x + half); xx++)
            {
                var e = excess[(yy * nx) + xx];
                if (!float.IsNaN(e))
                {
                    s += e;
                    k++;
                }
            }
        }

        return k == 0 ? fallback : (float)(s / k);
    }

    /// <summary>Chamfer distance (px) to the nearest measured pixel and that pixel's index (two passes; −1 when none).</summary>
    private static (float[] Distance, int[] Nearest) NearestMeasured(bool[] known, int ny, int nx)
    {
        var distance = new float[known.Length];
        var nearest = new int[known.Length];
        for (var i = 0; i < known.Length; i++)
        {
            distance[i] = known[i] ? 0 : float.MaxValue;
            nearest[i] = known[i] ? i : -1;
        }

        var diagonal = MathF.Sqrt(2);
        void Relax(int i, int j, float step)
        {
            if (distance[j] + step < distance[i])
            {
                distance[i] = distance[j] + step;
                nearest[i] = nearest[j];
            }
        }

        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var i = (y * nx) + x;
                if (x > 0)
                {
                    Relax(i, i - 1, 1);
                }

                if (y > 0)
                {
                    Relax(i, i - nx, 1);
                    if (x > 0)
                    {
                        Relax(i, i - nx - 1, diagonal);
                    }

                    if (x < nx - 1)
                    {
                        Relax(i, i - nx + 1, diagonal);
                    }
                }
            }
        }

        for (var y = ny - 1; y >= 0; y--)
        {
            for (var x = nx - 1; x >= 0; x--)
            {
                var i = (y * nx) + x;
                if (x < nx - 1)
                {
                    Relax(i, i + 1, 1);
                }

                if (y < ny - 1)
                {
                    Relax(i, i + nx, 1);
                    if (x < nx - 1)
                    {
                        Relax(i, i + nx + 1, diagonal);
                    }

                    if (x > 0)
                    {
                        Relax(i, i + nx - 1, diagonal);
                    }
                }
            }
        }

        for (var i = 0; i < distance.Length; i++)
        {
            if (distance[i] == float.MaxValue)
            {
                distance[i] = -1;
            }
        }

        return (distance, nearest);
    }
}
