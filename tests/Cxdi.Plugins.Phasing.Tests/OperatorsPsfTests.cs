using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Xunit.Abstractions;
using C = System.Numerics.Complex;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Partial coherence by a PSF (<c>ER_PSF</c>, <c>HIO_PSF</c>, <c>RAAR_PSF</c>): one cycle and one Richardson–Lucy update checked against direct loops, and the width of a known blur recovered.</summary>
public sealed class OperatorsPsfTests(ITestOutputHelper output) : IDisposable
{
    private readonly CpuComputeBackend backend = new(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 1);

    public void Dispose() => backend.Dispose();

    [Fact]
    public void ErPsf_OneCycleWithUpdate_MatchesDirectConvolutionAndRichardsonLucy()
    {
        using var state = OperatorsTestKit.TinyState(backend, 17, out var obj, out var amplitude, out var classes, out var support);
        const double sigma = 0.8;
        BuiltInOperators.Parse($"ER_PSF(sigma={sigma},update_every=1,rl_iterations=1)").Apply(state);
        var actual = state.DownloadObject();
        var actualPsf = PsfCycleOperator.CurrentPsf(state)!;

        // Initial PSF: Gaussian of σ in wrapped coordinates, sum 1.
        var p = new double[16];
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                double dy = OperatorsTestKit.Frequency(y, 4), dx = OperatorsTestKit.Frequency(x, 4);
                p[(y * 4) + x] = Math.Exp(-((dy * dy) + (dx * dx)) / (2 * sigma * sigma));
            }
        }

        var total = p.Sum();
        p = p.Select(v => v / total).ToArray();
        double[] Convolve(double[] f, double[] k)
        {
            var r = new double[16];
            for (var y = 0; y < 4; y++)
            {
                for (var x = 0; x < 4; x++)
                {
                    for (var sy = 0; sy < 4; sy++)
                    {
                        for (var sx = 0; sx < 4; sx++)
                        {
                            r[(y * 4) + x] += k[(sy * 4) + sx] * f[((((y - sy) + 4) % 4) * 4) + (((x - sx) + 4) % 4)];
                        }
                    }
                }
            }

            return r;
        }

        var psi = OperatorsTestKit.Dft(OperatorsTestKit.ToDouble(obj), 4, 4, inverse: false);
        var intensity = psi.Select(z => z.Magnitude * z.Magnitude).ToArray();
        var model = Convolve(intensity, p);
        var projected = psi.Select((z, k) => classes[k] == PixelClass.Measured ? z * (amplitude[k] / Math.Sqrt(model[k])) : z).ToArray();
        var expected = OperatorsTestKit.Dft(projected, 4, 4, inverse: true).Select((z, i) => support[i] != 0 ? z : C.Zero).ToArray();
        OperatorsTestKit.Close(expected, actual, 1e-4);

        // One Richardson–Lucy iteration with the coherent intensity: p ← p · Σ_q r(q) I(q − s), r = o/m (1 where not measured), normalised.
        var ratio = model.Select((m, k) => classes[k] == PixelClass.Measured ? amplitude[k] * (double)amplitude[k] / m : 1).ToArray();
        var updated = new double[16];
        for (var sy = 0; sy < 4; sy++)
        {
            for (var sx = 0; sx < 4; sx++)
            {
                double c = 0;
                for (var qy = 0; qy < 4; qy++)
                {
                    for (var qx = 0; qx < 4; qx++)
                    {
                        c += ratio[(qy * 4) + qx] * intensity[((((qy - sy) + 4) % 4) * 4) + (((qx - sx) + 4) % 4)];
                    }
                }

                updated[(sy * 4) + sx] = Math.Max(0, p[(sy * 4) + sx] * c);
            }
        }

        var sum = updated.Sum();
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(updated[i] / sum, actualPsf[i], 4);
        }
    }

    [Fact]
    public void HioPsf_OnGaussianBlurredPatterns_RecoversTheWidthWithin10Percent_AndLowersTheError()
    {
        const double blur = 1.0;
        foreach (var seed in new long[] { 31, 32 })
        {
            double plain, withPsf, width;
            var (a, truth, shape) = OperatorsTestKit.BlurredState(backend, 128, blur, 1e8, seed);
            using (a)
            {
                BuiltInOperators.Parse("ER**100 * HIO**400").Apply(a);
                plain = Canonicalizer.ErrorToTruth(truth, ArrayTools.FftShift<Complex32>(a.DownloadObject(), shape), shape, backend);
            }

            var (b, _, _) = OperatorsTestKit.BlurredState(backend, 128, blur, 1e8, seed);
            using (b)
            {
                BuiltInOperators.Parse("ER_PSF(sigma=0.5)**100 * HIO_PSF(sigma=0.5)**300 * HIO**100").Apply(b);
                withPsf = Canonicalizer.ErrorToTruth(truth, ArrayTools.FftShift<Complex32>(b.DownloadObject(), shape), shape, backend);
                width = PsfCycleOperator.Width(PsfCycleOperator.CurrentPsf(b)!, shape);
            }

            output.WriteLine($"seed {seed}: blur σ {blur}, recovered {width:F3}; error without PSF {plain:F4}, with PSF {withPsf:F4}");
            Assert.InRange(width, 0.9 * blur, 1.1 * blur);
            Assert.True(withPsf < plain, $"seed {seed}: error with the PSF {withPsf:F4} not below {plain:F4}");
        }
    }
}
