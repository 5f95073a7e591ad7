using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Tests;

public sealed class OperatorTests : IDisposable
{
    private static readonly Shape Small = Shape.Of(4, 4);
    private readonly CpuComputeBackend backend = new(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 1);

    public void Dispose() => backend.Dispose();

    [Fact]
    public void ModulusProjection_LeavesMaskedAndHeldOutPixelsUntouched()
    {
        using var state = NewState(out var obj, out var amplitude, out var classes, out _);
        BuiltInOperators.Parse("FT").Apply(state);
        var before = Download(state.Object);
        BuiltInOperators.Parse("Proj").Apply(state);
        var after = Download(state.Object);
        for (var i = 0; i < after.Length; i++)
        {
            if (classes[i] != PixelClass.Measured)
            {
                Assert.Equal(before[i], after[i]);
            }
            else
            {
                Assert.Equal(amplitude[i], after[i].Abs, 4);
                Assert.Equal(before[i].Phase, after[i].Phase, 4);
            }
        }
    }

    [Fact]
    public void ModulusProjection_MetricsMatchTheirDefinition()
    {
        using var state = NewState(out var obj, out var amplitude, out var classes, out _);
        var f = (Complex32[])obj.Clone();
        backend.Transform(f, Small, FftDirection.Forward);
        double llk = 0, free = 0, chi2 = 0;
        int n = 0, nf = 0;
        for (var i = 0; i < f.Length; i++)
        {
            double c = f[i].Norm2, o = amplitude[i] * (double)amplitude[i];
            var term = c - o + (o > 0 ? o * Math.Log(o / c) : 0);
            if (classes[i] == PixelClass.Measured)
            {
                llk += term;
                chi2 += (c - o) * (c - o) / (o + 1);
                n++;
            }
            else if (classes[i] == PixelClass.HeldOut)
            {
                free += term;
                nf++;
            }
        }

        var m = state.EvaluateMetrics();
        Assert.Equal(llk / n, m.Llk, 1e-4 * Math.Abs(llk / n));
        Assert.Equal(free / nf, m.FreeLlk, 1e-4 * Math.Abs(free / nf));
        Assert.Equal(chi2 / n, m.Chi2, 1e-4 * Math.Abs(chi2 / n));
        Assert.Equal(n, m.Count);
        Assert.Equal(nf, m.FreeCount);
    }

    [Fact]
    public void ModulusProjection_VectorMetricsMatchDoublePrecision_OnALargeArray()
    {
        // 97×83 pixels: full SIMD blocks plus a scalar tail; counts up to 1e6 photons, zeros, and all three pixel classes.
        var shape = Shape.Of(97, 83);
        var random = new Random(11);
        var psi = new Complex32[shape.Length];
        var amplitude = new float[shape.Length];
        var classes = new byte[shape.Length];
        for (var i = 0; i < psi.Length; i++)
        {
            var scale = Math.Pow(10, 3 * random.NextDouble());
            psi[i] = new Complex32((float)(scale * (random.NextDouble() - 0.5)), (float)(scale * (random.NextDouble() - 0.5)));
            amplitude[i] = random.NextDouble() < 0.1 ? 0 : (float)(scale * random.NextDouble());
            classes[i] = (byte)(random.NextDouble() < 0.8 ? PixelClass.Measured : random.NextDouble() < 0.5 ? PixelClass.Unknown : PixelClass.HeldOut);
        }

        double llk = 0, free = 0, chi2 = 0, calcSum = 0;
        long n = 0, nf = 0;
        for (var i = 0; i < psi.Length; i++)
        {
            double c = psi[i].Norm2, o = amplitude[i] * (double)amplitude[i];
            var term = c - o + (o > 0 ? o * Math.Log(o / c) : 0);
            if (classes[i] == PixelClass.Measured)
            {
                llk += term;
                chi2 += (c - o) * (c - o) / (o + 1);
                calcSum += c;
                n++;
            }
            else if (classes[i] == PixelClass.HeldOut)
            {
                free += term;
                nf++;
            }
        }

        using var psiBuffer = backend.AllocateComplex(shape);
        using var amplitudeBuffer = backend.AllocateReal(shape);
        using var classBuffer = backend.AllocateMask(shape);
        backend.Upload(psi, psiBuffer);
        backend.Upload(amplitude, amplitudeBuffer);
        backend.Upload(classes, classBuffer);
        var m = backend.ProjectModulus(psiBuffer, amplitudeBuffer, classBuffer, project: false, metrics: true);
        Assert.Equal(n, m.Count);
        Assert.Equal(nf, m.FreeCount);
        Assert.Equal(llk, m.LlkSum, 1e-5 * Math.Abs(llk));
        Assert.Equal(free, m.FreeLlkSum, 1e-5 * Math.Abs(free));
        Assert.Equal(chi2, m.Chi2Sum, 1e-5 * Math.Abs(chi2));
        Assert.Equal(calcSum, m.CalcSum, 1e-5 * calcSum);
    }

    [Theory]
    [InlineData("ER", false)]
    [InlineData("HIO", false)]
    [InlineData("HIO", true)]
    [InlineData("RAAR", false)]
    [InlineData("DM", false)]
    [InlineData("CF", false)]
    public void Cycle_AgreesWithItsFormula_On4x4(string name, bool positivity)
    {
        using var state = NewState(out var obj, out var amplitude, out var classes, out var support);
        state.Positivity = positivity;
        var pm = (Complex32[])obj.Clone();
        backend.Transform(pm, Small, FftDirection.Forward);
        for (var i = 0; i < pm.Length; i++)
        {
            if (classes[i] == PixelClass.Measured)
            {
                pm[i] = (amplitude[i] / pm[i].Abs) * pm[i];
            }
        }

        backend.Transform(pm, Small, FftDirection.Inverse);
        const float beta = 0.9f, raar = 0.75f;
        var expected = new Complex32[pm.Length];
        for (var i = 0; i < pm.Length; i++)
        {
            var inside = support[i] != 0;
            var ok = inside && !(positivity && pm[i].Re < 0);
            expected[i] = name switch
            {
                "ER" => ok ? pm[i] : default,
                "HIO" => new Complex32(ok ? pm[i].Re : obj[i].Re - (beta * pm[i].Re), inside ? pm[i].Im : obj[i].Im - (beta * pm[i].Im)),
                "RAAR" => ok ? pm[i] : (raar * obj[i]) + ((1 - (2 * raar)) * pm[i]),
                "DM" => obj[i] + (inside ? (2 * pm[i]) - obj[i] : default) - pm[i],
                _ => ok ? pm[i] : pm[i].Conjugate(),
            };
        }

        BuiltInOperators.Parse(name).Apply(state);
        var actual = Download(state.Object);
        var previous = Download(state.Previous);
        for (var i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i].Re, actual[i].Re, 1e-4f);
            Assert.Equal(expected[i].Im, actual[i].Im, 1e-4f);
            Assert.Equal(actual[i], previous[i]);
        }

        Assert.Equal(1, state.Cycle);
    }

    [Fact]
    public void Hio_HandComputedPixel_OutsideSupportGetsFeedback()
    {
        // A hand-checked case: a single pixel outside the support with ψ = (1, 2) and P_M ψ = (0.5, −1) becomes
        // ψ − β P_M ψ = (1 − 0.45, 2 + 0.9) for β = 0.9; inside the support it becomes P_M ψ.
        using var current = backend.AllocateComplex(Shape.Of(1, 2));
        using var previous = backend.AllocateComplex(Shape.Of(1, 2));
        using var support = backend.AllocateMask(Shape.Of(1, 2));
        backend.Upload([new Complex32(0.5f, -1), new Complex32(0.5f, -1)], current);
        backend.Upload([new Complex32(1, 2), new Complex32(1, 2)], previous);
        backend.Upload([(byte)0, (byte)1], support);
        backend.UpdateObject(current, previous, support, new HioRule(0.9f, false, false));
        var result = new Complex32[2];
        backend.Download(current, result);
        Assert.Equal(0.55f, result[0].Re, 1e-6f);
        Assert.Equal(2.9f, result[0].Im, 1e-6f);
        Assert.Equal(new Complex32(0.5f, -1), result[1]);
    }

    [Fact]
    public void SupportUpdate_ThresholdsTheBlurredAmplitude()
    {
        using var state = NewState(out var obj, out _, out _, out _);
        state.SupportSettings = new SupportUpdateSettings { Threshold = 0.5f, SigmaStart = 0, SigmaEnd = 0, MinFraction = 0, MaxFraction = 1, RelativeToMax = true };
        BuiltInOperators.Parse("Sup").Apply(state);
        var max = obj.Max(z => z.Abs);
        var support = new byte[obj.Length];
        backend.Download(state.Support, support);
        for (var i = 0; i < obj.Length; i++)
        {
            Assert.Equal(obj[i].Abs >= 0.5f * max ? 1 : 0, support[i]);
        }

        Assert.Equal(support.Count(b => b != 0), state.SupportSize);
    }

    [Fact]
    public void SupportUpdate_ThrowsWhenTheSupportLeavesItsRange()
    {
        using var state = NewState(out _, out _, out _, out _);
        state.SupportSettings = new SupportUpdateSettings { Threshold = 0.01f, SigmaStart = 0, SigmaEnd = 0, MinFraction = 0, MaxFraction = 0.1, RelativeToMax = true };
        Assert.Throws<Sdk.Errors.SupportTooLargeException>(() => BuiltInOperators.Parse("Sup").Apply(state));
        state.SupportSettings = new SupportUpdateSettings { Threshold = 1f, SigmaStart = 0, SigmaEnd = 0, MinFraction = 0.5, MaxFraction = 1, RelativeToMax = true };
        Assert.Throws<Sdk.Errors.SupportTooSmallException>(() => BuiltInOperators.Parse("Sup").Apply(state));
    }

    [Fact]
    public void SupportUpdate_SigmaDecaysGeometricallyFromStartToEnd()
    {
        var s = new SupportUpdateSettings { SigmaStart = 2, SigmaEnd = 0.5f };
        Assert.Equal(2f, SupportUpdateOperator.Sigma(s, 0, 20), 1e-6f);
        Assert.Equal(0.5f, SupportUpdateOperator.Sigma(s, 19, 20), 1e-6f);
        Assert.Equal(1f, SupportUpdateOperator.Sigma(s, 1, 3), 1e-6f);
    }

    [Fact]
    public void Composition_AppliesRightToLeft_AndRepeatCounts()
    {
        var op = BuiltInOperators.Parse("ER**100 * (Sup * ER**5 * HIO**40)**20 * HIO**200");
        Assert.Equal(100 + (20 * 45) + 200, op.Cycles);
        Assert.Equal(20, op.SupportUpdates);
        var top = Assert.IsType<SequenceOperator>(op);
        // ((ER**100 * (...)**20) * HIO**200): the rightmost operator, applied first, is HIO**200.
        var first = Assert.IsType<RepeatOperator>(top.Right);
        Assert.Equal(200, first.Count);
        Assert.Equal("HIO", first.Inner.ToString());
        using var state = NewState(out _, out _, out _, out _);
        state.MetricEvery = 1;
        (BuiltInOperators.Parse("ER") * BuiltInOperators.Parse("HIO").Repeat(2)).Apply(state);
        Assert.Equal(["HIO", "HIO", "ER"], state.History.Select(h => h.Algorithm));
    }

    [Fact]
    public void Parser_PowerBindsTighterThanProduct()
    {
        var op = BuiltInOperators.Parse("ER * HIO**3");
        var seq = Assert.IsType<SequenceOperator>(op);
        Assert.Equal("ER", seq.Left.ToString());
        Assert.Equal(3, Assert.IsType<RepeatOperator>(seq.Right).Count);
        Assert.Equal(4, op.Cycles);
        Assert.Equal(6, BuiltInOperators.Parse("(ER * HIO)**3").Cycles);
        Assert.Equal(12, BuiltInOperators.Parse("(ER**2)**6").Cycles);
        Assert.Equal(0.5f, Assert.IsType<HioOperator>(BuiltInOperators.Parse("hio(0.5)")).Beta);
    }

    [Theory]
    [InlineData("ER**", 4, "repeat count")]
    [InlineData("ER * ", 5, "an operator")]
    [InlineData("(ER * HIO", 9, "')'")]
    [InlineData("ER * FOO**2", 5, "not 'FOO'")]
    [InlineData("ER HIO", 3, "'*'")]
    [InlineData("ER**0", 4, "between 1")]
    [InlineData("ER)", 2, "unbalanced")]
    public void Parser_Error_GivesPositionAndExpectedToken(string text, int position, string expected)
    {
        var e = Assert.Throws<Sdk.Errors.OperatorSyntaxException>(() => BuiltInOperators.Parse(text));
        Assert.Equal(position, e.Position);
        Assert.Contains(expected, e.Expected, StringComparison.Ordinal);
        Assert.Contains($"position {position + 1}", e.Message, StringComparison.Ordinal);
    }

    private PhasingState NewState(out Complex32[] obj, out float[] amplitude, out byte[] classes, out byte[] support)
    {
        var random = new Random(7);
        obj = Enumerable.Range(0, 16).Select(_ => new Complex32((float)random.NextDouble() - 0.3f, (float)random.NextDouble() - 0.5f)).ToArray();
        amplitude = Enumerable.Range(0, 16).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        classes = [0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0];
        support = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
        var state = new PhasingState(backend, Small);
        backend.Upload(obj, state.Object);
        backend.Upload(amplitude, state.ObservedAmplitude);
        backend.Upload(classes, state.PixelClasses);
        backend.Upload(support, state.Support);
        state.SyncPrevious();
        return state;
    }

    private Complex32[] Download(ComplexBuffer buffer)
    {
        var result = new Complex32[buffer.Length];
        backend.Download(buffer, result);
        return result;
    }
}
