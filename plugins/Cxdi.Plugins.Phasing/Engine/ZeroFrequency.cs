using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// The zero frequency of a pattern without a known beam centre: its centre of symmetry. The pattern of a real object is
/// centrosymmetric, I(c + q) = I(c − q), and a weakly complex one nearly so; the self-convolution
/// C(s) = Σ_q w(q) w(s − q) of the log-compressed measured intensity w peaks at s = 2c, whatever the mask (C is divided
/// by the same sum over the mask, so a detector gap or an off-centre beamstop does not pull the peak as it pulls the
/// intensity centroid). The peak is refined to a tenth of a pixel with a parabola per axis.
/// </summary>
internal static class ZeroFrequency
{
    /// <summary>Largest array transformed whole; a larger one is searched in a window around its intensity centroid.</summary>
    internal const long MaxWindow = 1L << 24;

    /// <summary>The centre of symmetry (z, y, x) in pixels, sub-pixel; z is 0 for 2D data.</summary>
    public static double[] SymmetryCentre(DiffractionData data, IComputeBackend backend)
    {
        var shape = data.Shape;
        var centroid = Centroid(data);
        var (window, origin) = Window(shape, centroid);
        int wz = window.Nz, wy = window.Ny, wx = window.Nx;
        var weights = new Complex32[window.Length];
        var measured = new Complex32[window.Length];
        for (var z = 0; z < wz; z++)
        {
            for (var y = 0; y < wy; y++)
            {
                for (var x = 0; x < wx; x++)
                {
                    var i = (((long)(z + origin[0]) * shape.Ny) + y + origin[1]) * shape.Nx + x + origin[2];
                    var v = data.Intensity[i];
                    if (data.IsMeasured(i) && float.IsFinite(v))
                    {
                        var w = (((long)z * wy) + y) * wx + x;
                        weights[w] = new Complex32(MathF.Log(1 + Math.Max(v, 0f)), 0);
                        measured[w] = new Complex32(1, 0);
                    }
                }
            }
        }

        var correlation = SelfConvolution(weights, window, backend);
        var overlap = SelfConvolution(measured, window, backend);
        var most = overlap.Max();
        var score = new float[correlation.Length];
        for (var i = 0; i < score.Length; i++)
        {
            // Only shifts that pair at least half as many measured pixels as the best one: few pairs make a noisy mean.
            score[i] = overlap[i] >= 0.5f * most && overlap[i] > 0 ? correlation[i] / overlap[i] : float.NegativeInfinity;
        }

        var peak = 0;
        for (var i = 1; i < score.Length; i++)
        {
            if (score[i] > score[peak])
            {
                peak = i;
            }
        }

        int[] lengths = [wz, wy, wx];
        int[] at = [peak / (wy * wx), peak / wx % wy, peak % wx];
        var centre = new double[3];
        for (var axis = 0; axis < 3; axis++)
        {
            if (lengths[axis] == 1)
            {
                continue;
            }

            var n = lengths[axis];
            int[] minus = [.. at], plus = [.. at];
            minus[axis] = ArrayTools.Mod(at[axis] - 1, n);
            plus[axis] = ArrayTools.Mod(at[axis] + 1, n);
            double m = Value(score, window, minus), c = score[peak], p = Value(score, window, plus);
            var d = m - (2 * c) + p;
            var offset = double.IsFinite(d) && d < 0 ? Math.Clamp(0.5 * (m - p) / d, -0.5, 0.5) : 0;
            var half = (at[axis] + offset) / 2;

            // s = 2c is known modulo the window: c and c + n/2 are both candidates; the one nearer the centroid is it.
            var local = centroid[axis] - origin[axis];
            var best = new[] { half, half + (n / 2.0), half - (n / 2.0) }.MinBy(t => Math.Abs(t - local));
            centre[axis] = best + origin[axis];
        }

        return centre;
    }

    /// <summary>The intensity centroid (z, y, x) of the measured pixels.</summary>
    public static double[] Centroid(DiffractionData data)
    {
        var shape = data.Shape;
        double sz = 0, sy = 0, sx = 0, total = 0;
        for (var z = 0; z < shape.Nz; z++)
        {
            for (var y = 0; y < shape.Ny; y++)
            {
                for (var x = 0; x < shape.Nx; x++)
                {
                    var i = (((long)z * shape.Ny) + y) * shape.Nx + x;
                    var v = data.Intensity[i];
                    if (data.IsMeasured(i) && v > 0 && float.IsFinite(v))
                    {
                        sz += v * (double)z;
                        sy += v * (double)y;
                        sx += v * (double)x;
                        total += v;
                    }
                }
            }
        }

        return total > 0 ? [sz / total, sy / total, sx / total] : [shape.Nz / 2, shape.Ny / 2, shape.Nx / 2];
    }

    /// <summary>
    /// Integer pixels from a sub-pixel centre: rounded, a half-pixel tie going towards the centroid, and kept in the
    /// middle half of each axis (a centre near an edge is a wrong one).
    /// </summary>
    public static int[] Round(double[] centre, double[] centroid, Shape shape)
    {
        int[] lengths = [shape.Nz, shape.Ny, shape.Nx];
        var result = new int[3];
        for (var axis = 0; axis < 3; axis++)
        {
            var n = lengths[axis];
            if (n == 1)
            {
                continue;
            }

            var c = centre[axis];
            var rounded = Math.Abs(c - Math.Floor(c) - 0.5) < 0.05
                ? (centroid[axis] < c ? Math.Floor(c) : Math.Ceiling(c))
                : Math.Round(c);
            result[axis] = Math.Clamp((int)rounded, n / 4, n - 1 - (n / 4));
        }

        return result;
    }

    private static double Value(float[] score, Shape window, int[] at) =>
        score[(((long)at[0] * window.Ny) + at[1]) * window.Nx + at[2]];

    /// <summary>|IFT(FT(v)²)| up to a constant: the cyclic self-convolution of <paramref name="values"/> (overwritten).</summary>
    private static float[] SelfConvolution(Complex32[] values, Shape shape, IComputeBackend backend)
    {
        backend.Transform(values, shape, FftDirection.Forward);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= values[i];
        }

        backend.Transform(values, shape, FftDirection.Inverse);
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = values[i].Re;
        }

        return result;
    }

    /// <summary>The whole array, or for a very large one a window around the centroid, halved along its longest axis until it is small enough (where the speckles that carry the symmetry are).</summary>
    private static (Shape Window, int[] Origin) Window(Shape shape, double[] centroid)
    {
        if (shape.Length <= MaxWindow)
        {
            return (shape, [0, 0, 0]);
        }

        int[] lengths = [shape.Nz, shape.Ny, shape.Nx];
        int[] size = [.. lengths];
        while ((long)size[0] * size[1] * size[2] > MaxWindow)
        {
            var largest = Array.IndexOf(size, size.Max());
            size[largest] = Math.Max(1, size[largest] / 2);
        }

        var origin = new int[3];
        for (var axis = 0; axis < 3; axis++)
        {
            origin[axis] = Math.Clamp((int)Math.Round(centroid[axis]) - (size[axis] / 2), 0, lengths[axis] - size[axis]);
        }

        var window = shape.Is3D ? Shape.Of(size[0], size[1], size[2]) : Shape.Of(size[1], size[2]);
        return (window, origin);
    }
}
