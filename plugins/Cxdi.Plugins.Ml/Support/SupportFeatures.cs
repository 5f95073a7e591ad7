using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Numerics;

namespace Cxdi.Plugins.Ml.Support;

/// <summary>
/// The support classifier's feature contract (version 1), 9 floats per object-space pixel of the centred autocorrelation
/// |IFT(I)| (unknown pixels as 0, divided by its maximum): its value, its blurs at σ = 1, 2, 4 px, log10 of it, the radius
/// over the equivalent radius of the region above 0.1, and the radius over the extent of the region above 0.05, 0.1 and 0.2
/// along the pixel's own direction (360 rays). Pixels beyond 1.5 × that extent are outside without asking the model.
/// </summary>
internal static class SupportFeatures
{
    /// <summary>Features per pixel.</summary>
    public const int Width = 9;

    /// <summary>The feature contract id recorded in model provenance.</summary>
    public const string Contract = "autocorrelation-blur-ray-extent/v1";

    private const int Rays = 360;

    /// <summary>Features of every candidate pixel of a pattern, with the candidates' indices.</summary>
    public static (FeatureTable Table, int[] Pixels) Compute(float[] intensity, uint[] mask, int ny, int nx)
    {
        var ac = Autocorrelation.Compute(intensity, mask, ny, nx);
        var b1 = Autocorrelation.Blur(ac, ny, nx, 1);
        var b2 = Autocorrelation.Blur(ac, ny, nx, 2);
        var b4 = Autocorrelation.Blur(ac, ny, nx, 4);
        Normalise(b1);
        Normalise(b2);
        Normalise(b4);
        var e05 = RayExtent(b1, ny, nx, 0.05);
        var e10 = RayExtent(b1, ny, nx, 0.1);
        var e20 = RayExtent(b1, ny, nx, 0.2);
        long area = b1.LongCount(v => v > 0.1);
        var equivalent = Math.Max(1, Math.Sqrt(area / Math.PI));
        var cy = ny / 2;
        var cx = nx / 2;
        var pixels = new List<int>();
        var table = new FeatureTable(Width, 1024);
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var dy = y - cy;
                var dx = x - cx;
                var r = Math.Sqrt((dy * dy) + (dx * dx));
                var ray = RayIndex(dy, dx);
                var r10 = r / Math.Max(1, e10[ray]);
                if (r10 > 1.5)
                {
                    continue;
                }

                var i = (y * nx) + x;
                pixels.Add(i);
                var row = table.Add(0);
                row[0] = (float)ac[i];
                row[1] = (float)b1[i];
                row[2] = (float)b2[i];
                row[3] = (float)b4[i];
                row[4] = (float)Math.Log10(ac[i] + 1e-6);
                row[5] = (float)(r / equivalent);
                row[6] = (float)(r / Math.Max(1, e05[ray]));
                row[7] = (float)r10;
                row[8] = (float)(r / Math.Max(1, e20[ray]));
            }
        }

        return (table, pixels.ToArray());
    }

    private static void Normalise(double[] a)
    {
        var max = a.Max();
        if (max > 0)
        {
            for (var i = 0; i < a.Length; i++)
            {
                a[i] /= max;
            }
        }
    }

    private static int RayIndex(int dy, int dx)
    {
        var angle = Math.Atan2(dy, dx);
        var k = (int)Math.Round((angle + Math.PI) / (2 * Math.PI) * Rays);
        return k % Rays;
    }

    /// <summary>For each of 360 directions, the last radius (px) from the centre where <paramref name="a"/> exceeds <paramref name="threshold"/> before it first drops below it.</summary>
    private static double[] RayExtent(double[] a, int ny, int nx, double threshold)
    {
        var extent = new double[Rays];
        var cy = ny / 2;
        var cx = nx / 2;
        var limit = Math.Min(ny, nx) / 2.0;
        for (var k = 0; k < Rays; k++)
        {
            var angle = (2 * Math.PI * k / Rays) - Math.PI;
            var (s, c) = Math.SinCos(angle);
            double r = 0;
            while (r < limit)
            {
                var y = (int)Math.Round(cy + (r * s));
                var x = (int)Math.Round(cx + (r * c));
                if (y < 0 || y >= ny || x < 0 || x >= nx || a[(y * nx) + x] <= threshold)
                {
                    break;
                }

                r += 0.5;
            }

            extent[k] = r;
        }

        return extent;
    }
}
