using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Xunit.Abstractions;
using C = System.Numerics.Complex;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Total-variation cycles <c>ER_TV</c> and <c>HIO_TV</c>: one cycle checked against real-space finite differences, and a known answer where ER_TV beats ER and HIO.</summary>
public sealed class OperatorsTvTests(ITestOutputHelper output) : IDisposable
{
    private const string Recipe = "(Sup * ER**5 * HIO**30)**10 * HIO**100";
    private readonly CpuComputeBackend backend = new(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 1);

    public void Dispose() => backend.Dispose();

    [Theory]
    [InlineData("ER_TV", 0.0)]
    [InlineData("HIO_TV", 0.8)]
    public void TvCycle_MatchesProjectionThenFiniteDifferenceTvSteps(string name, double beta)
    {
        using var state = OperatorsTestKit.TinyState(backend, 13, out var obj, out var amplitude, out var classes, out var support);
        const double lambda = 0.05, epsilon = 0.1;
        const int steps = 2;
        var text = name == "ER_TV" ? $"ER_TV(lambda={lambda},epsilon={epsilon},steps={steps})" : $"HIO_TV(beta={beta},lambda={lambda},epsilon={epsilon},steps={steps})";
        BuiltInOperators.Parse(text).Apply(state);
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
        var u = x.Select((v, i) => support[i] != 0 ? pm[i] : (name == "ER_TV" ? C.Zero : v - (beta * pm[i]))).ToArray();
        for (var step = 0; step < steps; step++)
        {
            var inside = u.Where((_, i) => support[i] != 0).Sum(v => v.Magnitude * v.Magnitude);
            var rms = Math.Sqrt(inside / support.Count(s => s != 0));
            var eps = epsilon * rms;
            var grad = new C[16];
            foreach (var (dy, dx) in new[] { (0, 1), (1, 0) })
            {
                // p = D x / √(|D x|² + ε²) with periodic forward differences; ∇ += Dᵀ p, Dᵀ p(r) = p(r − e) − p(r).
                var p = new C[16];
                for (var y = 0; y < 4; y++)
                {
                    for (var xx = 0; xx < 4; xx++)
                    {
                        var d = u[(((y + dy) % 4) * 4) + ((xx + dx) % 4)] - u[(y * 4) + xx];
                        p[(y * 4) + xx] = d / Math.Sqrt((d.Magnitude * d.Magnitude) + (eps * eps));
                    }
                }

                for (var y = 0; y < 4; y++)
                {
                    for (var xx = 0; xx < 4; xx++)
                    {
                        grad[(y * 4) + xx] += p[(((y - dy + 4) % 4) * 4) + ((xx - dx + 4) % 4)] - p[(y * 4) + xx];
                    }
                }
            }

            u = u.Select((v, i) => support[i] != 0 ? v - (lambda * rms * grad[i]) : v).ToArray();
        }

        OperatorsTestKit.Close(u, actual, 2e-4);
        OperatorsTestKit.Close(u, OperatorsTestKit.Download(backend, state.Previous), 2e-4);
    }

    [Fact]
    public void ErTv_AfterTheRecipe_BeatsErAndHio_At1e6Photons_Complex2D()
    {
        var er = new List<double>();
        var hio = new List<double>();
        var tv = new List<double>();
        foreach (var seed in new long[] { 21, 22, 23 })
        {
            var data = OperatorsTestKit.Complex2D(128, 1e6, seed, backend);
            er.Add(OperatorsTestKit.AverageError(data, $"ER**100 * {Recipe}", 5, 3, 2, backend));
            hio.Add(OperatorsTestKit.AverageError(data, $"ER**20 * HIO**80 * {Recipe}", 5, 3, 2, backend));
            tv.Add(OperatorsTestKit.AverageError(data, $"ER_TV**100 * {Recipe}", 5, 3, 2, backend));
            output.WriteLine($"seed {seed}: ER {er[^1]:F4}, HIO+ER {hio[^1]:F4}, ER_TV {tv[^1]:F4}");
        }

        double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        var best = Math.Min(Median(er), Median(hio));
        output.WriteLine($"median: ER {Median(er):F4}, HIO+ER {Median(hio):F4}, ER_TV {Median(tv):F4} ({(1 - (Median(tv) / best)) * 100:F0} % lower)");
        Assert.True(Median(tv) <= 0.85 * best, $"ER_TV median error {Median(tv):F4} is not 15 % below HIO/ER {best:F4}");
    }
}
