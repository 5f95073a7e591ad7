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

        Complex32[] Noisy() => [.. obj.Select(z => z + new Complex32((float)(random.NextDouble() - 0.5), (float)(random.NextDouble() - 0.5)))];
        var (noisy, cutoff) = Canonicalizer.Fsc(Noisy(), Noisy(), shape, Backend);
        var quarter = noisy.Value.Length / 4;
        var low = noisy.Value.Take(quarter).Average();
        var high = noisy.Value.Skip(3 * quarter).Average();
        Assert.True(low > 0.6, $"FSC over the lowest quarter of frequencies {low:F3}");
        Assert.True(high < 0.2, $"FSC over the highest quarter of frequencies {high:F3}");
        Assert.NotNull(cutoff);
        Assert.InRange(cutoff!.Value, 0.1, 0.95);
    }

    [Fact]
    public void FirstModeWeight_IsOneForCopies_AndAThirdForThreeOrthogonalObjects()
    {
        static Reconstruction Run(params Complex32[] values) => new() { Shape = Shape.Of(1, values.Length), Object = values };
        var one = new Complex32(1, 2);
        Assert.Equal(1.0, PhasePlugin.FirstModeWeight([Run(one, one, default), Run(2 * one, 2 * one, default), Run(new Complex32(0, 1) * one, new Complex32(0, 1) * one, default)]), 4);
        Assert.Equal(1.0 / 3, PhasePlugin.FirstModeWeight([Run(one, default, default), Run(default, one, default), Run(default, default, one)]), 4);

        // Two equal runs and a third orthogonal one of the same norm: the first mode holds two thirds.
        Assert.Equal(2.0 / 3, PhasePlugin.FirstModeWeight([Run(one, default, default), Run(one, default, default), Run(default, one, default)]), 4);
    }
}
