using ILGPU;

namespace Cxdi.Plugins.Gpu.Kernels;

/// <summary>
/// Double-precision natural logarithm and exponential written with bit operations and short series, so kernels get the
/// same accurate results on every ILGPU accelerator (no libdevice, no single-precision approximations). Relative error
/// below 1e-15 over the ranges the kernels use; public because ILGPU's CPU accelerator needs public code.
/// </summary>
public static class DeviceMath
{
    private const double Ln2 = 0.69314718055994530942;
    private const double Sqrt2 = 1.41421356237309504880;

    /// <summary>ln x for finite x &gt; 0 (NaN for x ≤ 0, +∞ for +∞).</summary>
    public static double Log(double x)
    {
        if (!(x > 0))
        {
            return double.NaN;
        }

        if (x == double.PositiveInfinity)
        {
            return x;
        }

        var bits = Interop.FloatAsInt(x);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var adjust = 0;
        if (exponent == 0)
        {
            // Subnormal: scale into the normal range first.
            x *= 18014398509481984.0; // 2^54
            bits = Interop.FloatAsInt(x);
            exponent = (int)((bits >> 52) & 0x7FF);
            adjust = -54;
        }

        var e = exponent - 1023 + adjust;
        var m = Interop.IntAsFloat((bits & 0x000FFFFFFFFFFFFFUL) | 0x3FF0000000000000UL); // in [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5;
            e++;
        }

        // ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716.
        var s = (m - 1) / (m + 1);
        var s2 = s * s;
        var series = 1.0 / 23;
        series = (series * s2) + (1.0 / 21);
        series = (series * s2) + (1.0 / 19);
        series = (series * s2) + (1.0 / 17);
        series = (series * s2) + (1.0 / 15);
        series = (series * s2) + (1.0 / 13);
        series = (series * s2) + (1.0 / 11);
        series = (series * s2) + (1.0 / 9);
        series = (series * s2) + (1.0 / 7);
        series = (series * s2) + (1.0 / 5);
        series = (series * s2) + (1.0 / 3);
        series = (series * s2) + 1;
        return (e * Ln2) + (2 * s * series);
    }

    /// <summary>eˣ (0 below −745, +∞ above 709.78).</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x < -745)
        {
            return 0;
        }

        if (x > 709.78)
        {
            return double.PositiveInfinity;
        }

        // x = k ln2 + r, |r| ≤ ln2/2; e^r by Taylor to degree 14 (error < 1e-17 relative).
        var kf = x / Ln2;
        var k = (int)(kf < 0 ? kf - 0.5 : kf + 0.5);
        var r = x - (k * Ln2);
        var sum = 1.0 / 87178291200; // 1/14!
        sum = (sum * r) + (1.0 / 6227020800);
        sum = (sum * r) + (1.0 / 479001600);
        sum = (sum * r) + (1.0 / 39916800);
        sum = (sum * r) + (1.0 / 3628800);
        sum = (sum * r) + (1.0 / 362880);
        sum = (sum * r) + (1.0 / 40320);
        sum = (sum * r) + (1.0 / 5040);
        sum = (sum * r) + (1.0 / 720);
        sum = (sum * r) + (1.0 / 120);
        sum = (sum * r) + (1.0 / 24);
        sum = (sum * r) + (1.0 / 6);
        sum = (sum * r) + 0.5;
        sum = (sum * r) + 1;
        sum = (sum * r) + 1;

        // 2^k, split in two factors so subnormal results (k < −1022) come out right.
        var half = k / 2;
        return sum * Pow2(half) * Pow2(k - half);
    }

    private static double Pow2(int k) => Interop.IntAsFloat((ulong)(k + 1023) << 52);
}
