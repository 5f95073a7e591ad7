using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Xunit.Abstractions;
using C = System.Numerics.Complex;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Oversampling smoothness <c>OSS</c>: one cycle checked against a direct loop, the α schedule, and a known answer where it beats HIO and ER.</summary>
public sealed class OperatorsOssTests(ITestOutputHelper output) : IDisposable
{
    private const string Recipe = "(Sup * ER**5 * HIO**30)**10 * HIO**100";
    private readonly CpuComputeBackend backend = new(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 1);

    public void Dispose() => backend.Dispose();

    [Fact]
    public void Oss_OneCycle_MatchesHioWithFilteredOutsideRegion()
    {
        using var state = OperatorsTestKit.TinyState(backend, 9, out var obj, out var amplitude, out var classes, out var support);
        const double beta = 0.7, alpha = 1.2;
        BuiltInOperators.Parse($"OSS(beta={beta},alpha_max={alpha})").Apply(state);
        var actual = state.DownloadObject();

        var x = OperatorsTestKit.ToDouble(obj);
        var psi = OperatorsTestKit.Dft(x, 4, 4, inverse: false);
        for (var k = 0; k < 16; k++)
        {
            if (classes[k] == PixelClass.Measured)
            {
                psi[k] = amplitude[k] * psi[k] / psi[k].Magnitude;
            }
        }

        var pm = OperatorsTestKit.Dft(psi, 4, 4, inverse: true);
        var hio = x.Select((v, i) => support[i] != 0 ? pm[i] : v - (beta * pm[i])).ToArray();
        var f = OperatorsTestKit.Dft(hio, 4, 4, inverse: false);
        for (var ky = 0; ky < 4; ky++)
        {
            for (var kx = 0; kx < 4; kx++)
            {
                var k2 = Math.Pow(OperatorsTestKit.Frequency(ky, 4), 2) + Math.Pow(OperatorsTestKit.Frequency(kx, 4), 2);
                f[(ky * 4) + kx] *= Math.Exp(-k2 / (2 * alpha * alpha));
            }
        }

        var smooth = OperatorsTestKit.Dft(f, 4, 4, inverse: true);
        var expected = hio.Select((v, i) => support[i] != 0 ? v : smooth[i]).ToArray();
        OperatorsTestKit.Close(expected, actual, 1e-4);
        OperatorsTestKit.Close(expected, OperatorsTestKit.Download(backend, state.Previous), 1e-4);
    }

    [Fact]
    public void Oss_AlphaSchedule_GoesFromHalfTheArrayToOneOverN()
    {
        var oss = new OssOperator { Iterations = 1000, Steps = 10 };
        var shape = Shape.Of(32, 64);
        Assert.Equal(32f, oss.Alpha(shape, 0));
        Assert.Equal(32f, oss.Alpha(shape, 99));
        Assert.Equal(32f - ((32f - (1f / 64)) / 9), oss.Alpha(shape, 100), 4);
        Assert.Equal(1f / 64, oss.Alpha(shape, 999), 6);
    }

    [Fact]
    public void Oss_AfterTheRecipe_BeatsHioAndEr_At1e6Photons_Complex2D()
    {
        var er = new List<double>();
        var hio = new List<double>();
        var oss = new List<double>();
        foreach (var seed in new long[] { 21, 22, 23 })
        {
            var data = OperatorsTestKit.Complex2D(128, 1e6, seed, backend);
            er.Add(OperatorsTestKit.AverageError(data, $"ER**300 * {Recipe}", 5, 3, 2, backend));
            hio.Add(OperatorsTestKit.AverageError(data, $"ER**100 * HIO**200 * {Recipe}", 5, 3, 2, backend));
            oss.Add(OperatorsTestKit.AverageError(data, $"ER**100 * OSS(iterations=200)**200 * {Recipe}", 5, 3, 2, backend));
            output.WriteLine($"seed {seed}: ER {er[^1]:F4}, HIO+ER {hio[^1]:F4}, OSS+ER {oss[^1]:F4}");
        }

        double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        output.WriteLine($"median: ER {Median(er):F4}, HIO+ER {Median(hio):F4}, OSS+ER {Median(oss):F4}");
        Assert.True(Median(oss) < Median(hio) && Median(oss) < Median(er), "OSS does not beat HIO and ER");
    }
}
