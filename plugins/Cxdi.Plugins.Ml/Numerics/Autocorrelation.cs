namespace Cxdi.Plugins.Ml.Numerics;

/// <summary>The object-space autocorrelation |IFT(I)| of a centred 2D pattern, unknown pixels counted as 0.</summary>
internal static class Autocorrelation
{
    /// <summary>|IFT(I)| with the origin at (ny/2, nx/2), divided by its maximum.</summary>
    public static double[] Compute(float[] intensity, uint[] mask, int ny, int nx)
    {
        var re = new double[ny * nx];
        var im = new double[ny * nx];
        for (var i = 0; i < re.Length; i++)
        {
            re[i] = (mask[i] & (uint)Cxdi.Sdk.Data.MaskFlags.Unknown) == 0 ? Math.Max(0, intensity[i]) : 0;
        }

        re = Fft.Unshift(re, ny, nx);
        Fft.Transform2D(re, im, ny, nx, inverse: true);
        var amplitude = new double[ny * nx];
        double max = 0;
        for (var i = 0; i < amplitude.Length; i++)
        {
            amplitude[i] = Math.Sqrt((re[i] * re[i]) + (im[i] * im[i]));
            max = Math.Max(max, amplitude[i]);
        }

        amplitude = Fft.Shift(amplitude, ny, nx);
        if (max > 0)
        {
            for (var i = 0; i < amplitude.Length; i++)
            {
                amplitude[i] /= max;
            }
        }

        return amplitude;
    }

    /// <summary>Separable Gaussian blur of a row-major ny × nx array (σ in px; 0 returns a copy).</summary>
    public static double[] Blur(double[] a, int ny, int nx, double sigma)
    {
        var result = (double[])a.Clone();
        if (sigma <= 0)
        {
            return result;
        }

        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new double[(2 * radius) + 1];
        double sum = 0;
        for (var k = -radius; k <= radius; k++)
        {
            kernel[k + radius] = Math.Exp(-0.5 * k * k / (sigma * sigma));
            sum += kernel[k + radius];
        }

        for (var k = 0; k < kernel.Length; k++)
        {
            kernel[k] /= sum;
        }

        var tmp = new double[a.Length];
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                double v = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    var xx = Math.Clamp(x + k, 0, nx - 1);
                    v += kernel[k + radius] * result[(y * nx) + xx];
                }

                tmp[(y * nx) + x] = v;
            }
        }

        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                double v = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    var yy = Math.Clamp(y + k, 0, ny - 1);
                    v += kernel[k + radius] * tmp[(yy * nx) + x];
                }

                result[(y * nx) + x] = v;
            }
        }

        return result;
    }

    /// <summary>
    /// Estimates the object diameter (px) from the area where the autocorrelation exceeds <paramref name="threshold"/> of
    /// its maximum: the autocorrelation of a compact object is about twice its extent, so d ≈ √(area/π).
    /// </summary>
    public static double EstimateObjectSize(double[] autocorrelation, int ny, int nx, double threshold = 0.1)
    {
        var blurred = Blur(autocorrelation, ny, nx, 1);
        var max = blurred.Max();
        long count = 0;
        foreach (var v in blurred)
        {
            if (v > threshold * max)
            {
                count++;
            }
        }

        return Math.Max(3, Math.Sqrt(count / Math.PI));
    }
}
