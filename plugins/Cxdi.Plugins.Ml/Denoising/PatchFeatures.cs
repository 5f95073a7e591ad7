using Cxdi.Plugins.Ml.Models;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Ml.Denoising;

/// <summary>
/// The denoiser's feature contract (version 1), 27 floats per measured pixel: the 24 other pixels of its 5×5 patch after
/// the Anscombe transform A = 2√(I + 3/8), each minus the centre's (an unknown or outside neighbour counts as the centre,
/// i.e. 0), then the centre's A, |q| divided by the largest |q| of the array, and the fraction of known neighbours.
/// The target is 2√(λ + 3/8) − A(centre) for the noiseless expected count λ; the estimate is λ̂ = ((A(centre) + ŷ)/2)² − 3/8.
/// </summary>
internal static class PatchFeatures
{
    /// <summary>Features per pixel.</summary>
    public const int Width = 27;

    /// <summary>Patch half-width.</summary>
    public const int Half = 2;

    /// <summary>The feature contract id recorded in model provenance.</summary>
    public const string Contract = "anscombe-5x5-relative+centre+q+known/v1";

    /// <summary>The Anscombe transform of the counts (negative counts clamp to 0).</summary>
    public static float[] Anscombe(float[] counts)
    {
        var a = new float[counts.Length];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = 2f * MathF.Sqrt(MathF.Max(0, counts[i]) + 0.375f);
        }

        return a;
    }

    /// <summary>The exact inverse of the Anscombe transform of an expected count, clamped at 0.</summary>
    public static float Inverse(float a)
    {
        var half = MathF.Max(0, a) / 2;
        return MathF.Max(0, (half * half) - 0.375f);
    }

    /// <summary>True when the pixel is measured.</summary>
    public static bool Known(uint[] mask, int i) => (mask[i] & (uint)MaskFlags.Unknown) == 0;

    /// <summary>Writes the features of pixel (y, x) into <paramref name="row"/>.</summary>
    public static void Fill(float[] a, uint[] mask, int ny, int nx, int y, int x, Span<float> row)
    {
        var centre = a[(y * nx) + x];
        var k = 0;
        var known = 0;
        for (var dy = -Half; dy <= Half; dy++)
        {
            var yy = y + dy;
            for (var dx = -Half; dx <= Half; dx++)
            {
                if (dy == 0 && dx == 0)
                {
                    continue;
                }

                var xx = x + dx;
                var v = 0f;
                if (yy >= 0 && yy < ny && xx >= 0 && xx < nx && Known(mask, (yy * nx) + xx))
                {
                    v = a[(yy * nx) + xx] - centre;
                    known++;
                }

                row[k++] = v;
            }
        }

        row[k++] = centre;
        var qy = y - (ny / 2);
        var qx = x - (nx / 2);
        var qmax = MathF.Sqrt(((ny / 2) * (ny / 2)) + ((nx / 2) * (nx / 2)));
        row[k++] = MathF.Sqrt((qy * qy) + (qx * qx)) / qmax;
        row[k] = known / 24f;
    }

    /// <summary>The feature table of every measured pixel, in index order, with the indices.</summary>
    public static (FeatureTable Table, int[] Pixels) AllMeasured(float[] counts, uint[] mask, int ny, int nx)
    {
        var a = Anscombe(counts);
        var pixels = Enumerable.Range(0, ny * nx).Where(i => Known(mask, i)).ToArray();
        var table = new FeatureTable(Width, pixels.Length);
        var rows = new float[pixels.Length * Width];
        Parallel.For(0, pixels.Length, j =>
        {
            var i = pixels[j];
            Fill(a, mask, ny, nx, i / nx, i % nx, rows.AsSpan(j * Width, Width));
        });
        for (var j = 0; j < pixels.Length; j++)
        {
            rows.AsSpan(j * Width, Width).CopyTo(table.Add(0));
        }

        return (table, pixels);
    }
}
