using Cxdi.Plugins.Ml.Numerics;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Ml.Gate;

/// <summary>
/// The gate's score: a Poisson log-likelihood on raw counts at held-out ("free") pixels that neither variant saw while
/// phasing. The held-out set is 3×3 islands of measured pixels, each with its Friedel mate island, away from the centre.
/// </summary>
internal static class FreeLikelihood
{
    /// <summary>
    /// Picks about <paramref name="fraction"/> of the measured pixels of a 2D pattern as 3×3 islands (with their Friedel
    /// mates) from the random stream <paramref name="seed"/>; pixels within <paramref name="centreRadius"/> of the centre
    /// (ny/2, nx/2) are never picked. Every picked pixel is measured in <paramref name="mask"/>.
    /// </summary>
    public static bool[] HoldOut(uint[] mask, int ny, int nx, double fraction, int seed, double centreRadius)
    {
        var held = new bool[ny * nx];
        long measured = 0;
        for (var i = 0; i < mask.Length; i++)
        {
            if ((mask[i] & (uint)MaskFlags.Unknown) == 0)
            {
                measured++;
            }
        }

        var target = (long)Math.Round(fraction * measured);
        var random = new Random(seed);
        var cy = ny / 2;
        var cx = nx / 2;
        long count = 0;
        var attempts = 0;
        var maxAttempts = 50 * ((target / 9) + 10);
        while (count < target && attempts++ < maxAttempts)
        {
            var y = random.Next(1, ny - 1);
            var x = random.Next(1, nx - 1);
            var my = (2 * cy) - y;
            var mx = (2 * cx) - x;
            if (Math.Sqrt(((double)(y - cy) * (y - cy)) + ((double)(x - cx) * (x - cx))) < centreRadius + 2
                || my < 1 || my >= ny - 1 || mx < 1 || mx >= nx - 1
                || !IslandFree(mask, held, nx, y, x) || !IslandFree(mask, held, nx, my, mx))
            {
                continue;
            }

            count += Mark(held, nx, y, x);
            count += Mark(held, nx, my, mx);
        }

        return held;
    }

    /// <summary>A copy of <paramref name="data"/> with the held-out pixels flagged as unknown (<see cref="MaskFlags.User"/>).</summary>
    public static DiffractionData Withhold(DiffractionData data, bool[] held)
    {
        var copy = data.Clone();
        for (var i = 0; i < held.Length; i++)
        {
            if (held[i])
            {
                copy.Mask[i] |= (uint)MaskFlags.User;
            }
        }

        return copy;
    }

    /// <summary>|FT(object)|² on the pattern grid (zero frequency at (ny/2, nx/2)); an object of another size is centred in the pattern's grid.</summary>
    public static double[] ModelIntensity(Complex32[] obj, int oy, int ox, int ny, int nx)
    {
        var re = new double[ny * nx];
        var im = new double[ny * nx];
        var offY = (ny - oy) / 2;
        var offX = (nx - ox) / 2;
        for (var y = 0; y < oy; y++)
        {
            var ty = y + offY;
            if (ty < 0 || ty >= ny)
            {
                continue;
            }

            for (var x = 0; x < ox; x++)
            {
                var tx = x + offX;
                if (tx < 0 || tx >= nx)
                {
                    continue;
                }

                var v = obj[(y * ox) + x];
                re[(ty * nx) + tx] = v.Re;
                im[(ty * nx) + tx] = v.Im;
            }
        }

        Fft.Transform2D(re, im, ny, nx, inverse: false);
        var power = new double[ny * nx];
        for (var i = 0; i < power.Length; i++)
        {
            power[i] = (re[i] * re[i]) + (im[i] * im[i]);
        }

        return Fft.Shift(power, ny, nx);
    }

    /// <summary>
    /// Poisson negative log-likelihood per held-out pixel, λ − n ln λ + ln n!, of the raw <paramref name="counts"/> given the
    /// model intensity scaled so that it sums to the raw counts over the measured pixels that are not held out (lower is
    /// better). Returns +∞ when nothing is held out or the model is empty.
    /// </summary>
    public static double Score(float[] counts, uint[] mask, bool[] held, double[] model)
    {
        double sumCounts = 0;
        double sumModel = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (!held[i] && (mask[i] & (uint)MaskFlags.Unknown) == 0)
            {
                sumCounts += counts[i];
                sumModel += model[i];
            }
        }

        if (sumModel <= 0 || !double.IsFinite(sumModel))
        {
            return double.PositiveInfinity;
        }

        var scale = sumCounts / sumModel;
        double total = 0;
        long n = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (!held[i])
            {
                continue;
            }

            var k = Math.Max(0.0, counts[i]);
            var lambda = Math.Max(model[i] * scale, 1e-9);
            total += lambda - (k * Math.Log(lambda)) + LogFactorial(k);
            n++;
        }

        return n == 0 ? double.PositiveInfinity : total / n;
    }

    /// <summary>ln Γ(k + 1) for a non-negative (possibly fractional) count: exact sum up to 20, Stirling's series above.</summary>
    internal static double LogFactorial(double k)
    {
        if (k < 20)
        {
            var r = Math.Round(k);
            if (Math.Abs(r - k) < 1e-9)
            {
                double s = 0;
                for (var j = 2; j <= (int)r; j++)
                {
                    s += Math.Log(j);
                }

                return s;
            }

            // Shift a fractional count up so the series converges, then step back down.
            double shift = 0;
            var z = k + 1;
            while (z < 20)
            {
                shift += Math.Log(z);
                z += 1;
            }

            return LogGamma(z) - shift;
        }

        return LogGamma(k + 1);
    }

    private static double LogGamma(double z) =>
        ((z - 0.5) * Math.Log(z)) - z + (0.5 * Math.Log(2 * Math.PI)) + (1 / (12 * z)) - (1 / (360 * z * z * z));

    private static bool IslandFree(uint[] mask, bool[] held, int nx, int y, int x)
    {
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                var i = ((y + dy) * nx) + x + dx;
                if (held[i] || (mask[i] & (uint)MaskFlags.Unknown) != 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static int Mark(bool[] held, int nx, int y, int x)
    {
        var marked = 0;
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                var i = ((y + dy) * nx) + x + dx;
                if (!held[i])
                {
                    held[i] = true;
                    marked++;
                }
            }
        }

        return marked;
    }
}
