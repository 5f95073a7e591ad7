using Cxdi.Plugins.Ml.Numerics;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class FftTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(12)]
    [InlineData(97)]
    public void Transform_AnyLength_MatchesDirectDftAndInverts(int n)
    {
        var random = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var (r0, i0) = ((double[])re.Clone(), (double[])im.Clone());
        var fft = new Fft(n);
        fft.Transform(re, im, inverse: false);
        for (var k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (var t = 0; t < n; t++)
            {
                var (s, c) = Math.SinCos(-2 * Math.PI * k * t / n);
                sr += (r0[t] * c) - (i0[t] * s);
                si += (r0[t] * s) + (i0[t] * c);
            }

            Assert.Equal(sr, re[k], 1e-9);
            Assert.Equal(si, im[k], 1e-9);
        }

        fft.Transform(re, im, inverse: true);
        for (var t = 0; t < n; t++)
        {
            Assert.Equal(r0[t], re[t] / n, 1e-12);
            Assert.Equal(i0[t], im[t] / n, 1e-12);
        }
    }
}
