using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Xunit.Abstractions;
using C = System.Numerics.Complex;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>The Poisson maximum-likelihood operator <c>ML</c>: two conjugate-gradient steps checked against a direct loop, and a known answer where it beats ER.</summary>
public sealed class OperatorsMlTests(ITestOutputHelper output) : IDisposable
{
    private readonly CpuComputeBackend backend = new(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 1);

    public void Dispose() => backend.Dispose();

    [Fact]
    public void Ml_TwoSteps_MatchDirectPolakRibiereWithNewtonLineSearch()
    {
        using var state = OperatorsTestKit.TinyState(backend, 3, out var obj, out var amplitude, out var classes, out var support);
        BuiltInOperators.Parse("ML**2").Apply(state);
        var actual = state.DownloadObject();

        // Direct loop: Ψ = F x; W = (1 − o/c) Ψ on measured pixels; g = P_S F⁻¹ W; d = −g + β d_prev (Polak–Ribière);
        // γ = −L'(0)/L''(0) from the Poisson log-likelihood along d.
        var x = OperatorsTestKit.ToDouble(obj);
        C[]? gPrev = null, dPrev = null;
        for (var step = 0; step < 2; step++)
        {
            var psi = OperatorsTestKit.Dft(x, 4, 4, inverse: false);
            var w = new C[16];
            for (var k = 0; k < 16; k++)
            {
                if (classes[k] == PixelClass.Measured)
                {
                    var o = (double)amplitude[k] * amplitude[k];
                    w[k] = (1 - (o / (psi[k].Magnitude * psi[k].Magnitude))) * psi[k];
                }
            }

            var g = OperatorsTestKit.Dft(w, 4, 4, inverse: true).Select((v, i) => support[i] != 0 ? v : C.Zero).ToArray();
            var d = g.Select(v => -v).ToArray();
            if (gPrev is not null)
            {
                double num = 0, den = 0;
                for (var i = 0; i < 16; i++)
                {
                    num += (C.Conjugate(g[i]) * (g[i] - gPrev[i])).Real;
                    den += (C.Conjugate(gPrev[i]) * gPrev[i]).Real;
                }

                var beta = Math.Max(0, num / den);
                d = d.Select((v, i) => v + (beta * dPrev![i])).ToArray();
            }

            var dd = OperatorsTestKit.Dft(d, 4, 4, inverse: false);
            double l1 = 0, l2 = 0;
            for (var k = 0; k < 16; k++)
            {
                if (classes[k] != PixelClass.Measured)
                {
                    continue;
                }

                var o = (double)amplitude[k] * amplitude[k];
                var c = psi[k].Magnitude * psi[k].Magnitude;
                var re = (C.Conjugate(psi[k]) * dd[k]).Real;
                l1 += (1 - (o / c)) * 2 * re;
                l2 += (2 * (1 - (o / c)) * dd[k].Magnitude * dd[k].Magnitude) + (4 * o / (c * c) * re * re);
            }

            var gamma = -l1 / l2;
            x = x.Select((v, i) => v + (gamma * d[i])).ToArray();
            gPrev = g;
            dPrev = d;
        }

        OperatorsTestKit.Close(x, actual, 2e-4);
        Assert.Equal(2, state.Cycle);
    }

    [Fact]
    public void Ml_LowersThePoissonLikelihood_In3D()
    {
        using var sim = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var data = Simulation.Simulator.Simulate(new Simulation.SimulateOptions { Dims = 3, Size = 16, Oversampling = 3, Photons = 1e6, Seed = 4 }, sim);
        var shape = data.Shape;
        using var state = new Sdk.Phasing.PhasingState(backend, shape);
        var amplitude = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<float>(data.Intensity.Select(v => MathF.Sqrt(v)).ToArray(), shape);
        backend.Upload(amplitude, state.ObservedAmplitude);
        var truth = Cxdi.Plugins.Phasing.Support.ArrayTools.IfftShift<Complex32>(data.GroundTruth!, shape);
        var random = new Random(1);
        var start = truth.Select(z => z.Norm2 > 0 ? new Complex32(z.Re + (0.2f * ((float)random.NextDouble() - 0.5f)), z.Im) : default).ToArray();
        backend.Upload(start, state.Object);
        backend.Upload(truth.Select(z => z.Norm2 > 0 ? (byte)1 : (byte)0).ToArray(), state.Support);
        var before = state.EvaluateMetrics().Llk;
        BuiltInOperators.Parse("ML**20").Apply(state);
        var after = state.EvaluateMetrics().Llk;
        output.WriteLine($"3D 16³ LLK {before:F3} → {after:F3}");
        Assert.True(after < 0.5 * before, $"LLK {before} → {after}");
    }

    [Fact]
    public void MlRefinement_BeatsEr_ErrorAt1e8Photons_AndFreeLikelihoodAt1e6_Complex2D_EveryDataSet()
    {
        // Same start and HIO phase for both; then ER**100, or ML**50 then ER**50. At 1e8 photons the refinement lowers the
        // error to the truth; at 1e6 it lowers the log-likelihood of the held-out pixels (not fitted) on every data set.
        var er = new List<double>();
        var ml = new List<double>();
        foreach (var seed in new long[] { 21, 22, 23 })
        {
            var high = OperatorsTestKit.Complex2D(128, 1e8, seed, backend);
            var a = OperatorsTestKit.KnownSupportRun(high, "ER**100 * HIO**300", backend);
            var b = OperatorsTestKit.KnownSupportRun(high, "ML**50 * ER**50 * HIO**300", backend);
            er.Add(a.Error);
            ml.Add(b.Error);
            var low = OperatorsTestKit.Complex2D(128, 1e6, seed, backend);
            var c = OperatorsTestKit.KnownSupportRun(low, "ER**100 * HIO**300", backend);
            var d = OperatorsTestKit.KnownSupportRun(low, "ML**50 * ER**50 * HIO**300", backend);
            output.WriteLine($"seed {seed}: 1e8 error ER {a.Error:F4}, ML {b.Error:F4}; 1e6 free LLK ER {c.FreeLlk:F4}, ML {d.FreeLlk:F4} (error {c.Error:F4}, {d.Error:F4})");
            Assert.True(d.FreeLlk < c.FreeLlk, $"seed {seed}: ML free LLK {d.FreeLlk:F4} not below ER {c.FreeLlk:F4}");
            Assert.True(b.Error < a.Error, $"seed {seed}: ML error {b.Error:F4} not below ER {a.Error:F4} at 1e8 photons");
        }

        double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        output.WriteLine($"1e8 median error: ER {Median(er):F4}, ML {Median(ml):F4}");
    }
}
