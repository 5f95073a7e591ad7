using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Split-half Fourier shell correlation.</summary>
public sealed class ResolutionTests
{
    private static readonly CpuComputeBackend Backend = new(FftPreference.Managed, 1);

    [Fact]
    public void Fsc_IsOneForEqualHalves_AndFallsWhereIndependentNoiseDominates()
    {
        var shape = Shape.Of(64, 64);
        var random = new Random(9);
        var obj = new Complex32[shape.Length];
        for (var y = 24; y < 40; y++)
        {
            for (var x = 22; x < 42; x++)
            {
                // A smooth object: its spectrum falls fast, so independent white noise wins at high frequency.
                obj[(y * 64) + x] = new Complex32((float)(1 + (0.3 * Math.Sin(x / 3.0))), 0);
            }
        }

        var (same, sameCutoff) = Canonicalizer.Fsc((Complex32[])obj.Clone(), (Complex32[])obj.Clone(), shape, Backend);
        Assert.All(same.Value, v => Assert.InRange(v, 0.999, 1.001));
        Assert.Null(sameCutoff);

        Complex32[] Noisy() => [.. obj.Select(z => z + new Complex32((float)(0.3 * (random.NextDouble() - 0.5)), (float)(0.3 * (random.NextDouble() - 0.5))))];
        var (noisy, cutoff) = Canonicalizer.Fsc(Noisy(), Noisy(), shape, Backend);
        Assert.True(noisy.Value[0] > 0.99, $"FSC at zero frequency {noisy.Value[0]:F3}");
        Assert.NotNull(cutoff);
        Assert.InRange(cutoff!.Value, 0.05, 0.9);
        Assert.True(noisy.Value[^1] < 0.3, $"FSC at Nyquist {noisy.Value[^1]:F3}");
    }
}
