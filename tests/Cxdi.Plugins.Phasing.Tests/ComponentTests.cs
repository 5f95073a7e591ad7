using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Phasing.Tests;

public sealed class ComponentTests : IDisposable
{
    private readonly CpuComputeBackend backend = new(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 2);

    public void Dispose() => backend.Dispose();

    [Theory]
    [InlineData(2, 1.5f)]
    [InlineData(3, 0.7f)]
    [InlineData(2, 4f)]
    [InlineData(3, 2f)]
    public void GaussianBlur_OnBackend_MatchesTheHostReference(int rank, float sigma)
    {
        var shape = rank == 2 ? Shape.Of(40, 70) : Shape.Of(12, 20, 36);
        var random = new Random(3);
        var values = Enumerable.Range(0, (int)shape.Length).Select(_ => (float)random.NextDouble()).ToArray();
        using var buffer = backend.AllocateReal(shape);
        backend.Upload(values, buffer);
        backend.GaussianBlur(buffer, sigma);
        var actual = new float[values.Length];
        backend.Download(buffer, actual);
        ArrayTools.GaussianBlur(values, shape, sigma);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], actual[i], 1e-5f);
        }

        Assert.Equal(values.Sum(), actual.Sum(), 1e-1f);
    }

    [Theory]
    [InlineData("ER")]
    [InlineData("HIO")]
    [InlineData("RAAR")]
    public void VectorKernels_MatchTheScalarFormulas_OnBlocksAndEdges(string kind)
    {
        var shape = Shape.Of(61, 67);
        var random = new Random(8);
        var n = (int)shape.Length;
        var pm = Enumerable.Range(0, n).Select(_ => new Complex32((float)random.NextDouble() - 0.5f, (float)random.NextDouble() - 0.5f)).ToArray();
        pm[1001] = default;
        var old = Enumerable.Range(0, n).Select(_ => new Complex32((float)random.NextDouble(), (float)random.NextDouble())).ToArray();
        var support = ArrayTools.Disc(shape, 20);
        var classes = Enumerable.Range(0, n).Select(i => (byte)(i % 97 == 0 ? PixelClass.Unknown : i % 89 == 0 ? PixelClass.HeldOut : PixelClass.Measured)).ToArray();
        var amplitude = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        using var current = backend.AllocateComplex(shape);
        using var previous = backend.AllocateComplex(shape);
        using var mask = backend.AllocateMask(shape);
        using var amp = backend.AllocateReal(shape);
        using var cls = backend.AllocateMask(shape);
        backend.Upload(pm, current);
        backend.Upload(old, previous);
        backend.Upload(support, mask);
        backend.Upload(amplitude, amp);
        backend.Upload(classes, cls);
        backend.ProjectModulus(current, amp, cls, project: true, metrics: false);
        var projected = new Complex32[n];
        backend.Download(current, projected);
        for (var i = 0; i < n; i++)
        {
            var expected = classes[i] != PixelClass.Measured ? pm[i] : pm[i].Norm2 > 0 ? (amplitude[i] / pm[i].Abs) * pm[i] : new Complex32(amplitude[i], 0);
            Assert.Equal(expected.Re, projected[i].Re, 1e-5f);
            Assert.Equal(expected.Im, projected[i].Im, 1e-5f);
        }

        switch (kind)
        {
            case "ER":
                backend.UpdateObject(current, previous, mask, new ErRule(false, false));
                break;
            case "HIO":
                backend.UpdateObject(current, previous, mask, new HioRule(0.8f, false, false));
                break;
            default:
                backend.UpdateObject(current, previous, mask, new RaarRule(0.8f, false, false));
                break;
        }

        var updated = new Complex32[n];
        backend.Download(current, updated);
        for (var i = 0; i < n; i++)
        {
            var p = projected[i];
            var expected = support[i] != 0 ? p : kind switch
            {
                "ER" => default,
                "HIO" => old[i] - (0.8f * p),
                _ => (0.8f * old[i]) + ((1 - 1.6f) * p),
            };
            Assert.Equal(expected.Re, updated[i].Re, 1e-5f);
            Assert.Equal(expected.Im, updated[i].Im, 1e-5f);
        }
    }

    [Fact]
    public void Reductions_MatchDirectSums()
    {
        var shape = Shape.Of(300, 257);
        var random = new Random(5);
        var values = Enumerable.Range(0, (int)shape.Length).Select(_ => (float)random.NextDouble()).ToArray();
        var mask = Enumerable.Range(0, (int)shape.Length).Select(_ => (byte)(random.Next(3) == 0 ? 1 : 0)).ToArray();
        var complex = values.Select((v, i) => new Complex32(v, 1 - v)).ToArray();
        using var real = backend.AllocateReal(shape);
        using var bytes = backend.AllocateMask(shape);
        using var cplx = backend.AllocateComplex(shape);
        backend.Upload(values, real);
        backend.Upload(mask, bytes);
        backend.Upload(complex, cplx);
        Assert.Equal(values.Max(), backend.Max(real));
        Assert.Equal(mask.Count(b => b != 0), backend.Count(bytes));
        var (sum, count) = backend.SumOfSquares(real, bytes);
        Assert.Equal(mask.Count(b => b != 0), count);
        Assert.Equal(values.Where((v, i) => mask[i] != 0).Sum(v => (double)v * v), sum, 1e-6 * sum);
        var energy = backend.Energy(cplx, bytes);
        Assert.Equal(complex.Where((z, i) => mask[i] == 0).Sum(z => (double)z.Norm2), energy.Outside, 1e-6 * energy.Outside);
        Assert.Equal(complex.Where((z, i) => mask[i] != 0).Sum(z => (double)z.Norm2), energy.Inside, 1e-6 * energy.Inside);
        var n = backend.Threshold(real, 0.5f, bytes);
        var thresholded = new byte[mask.Length];
        backend.Download(bytes, thresholded);
        Assert.Equal(values.Count(v => v >= 0.5f), n);
        Assert.All(Enumerable.Range(0, values.Length), i => Assert.Equal(values[i] >= 0.5f ? 1 : 0, thresholded[i]));
        backend.Scale(cplx, 2f);
        var scaled = new Complex32[complex.Length];
        backend.Download(cplx, scaled);
        Assert.Equal(2 * complex[1234].Re, scaled[1234].Re);
    }

    [Fact]
    public void Transform_RoundTripsAndForwardIsUnscaled()
    {
        var shape = Shape.Of(6, 10, 8);
        var random = new Random(1);
        var data = Enumerable.Range(0, (int)shape.Length).Select(_ => new Complex32((float)random.NextDouble(), (float)random.NextDouble())).ToArray();
        var copy = (Complex32[])data.Clone();
        backend.Transform(copy, shape, FftDirection.Forward);
        Assert.Equal(data.Sum(z => z.Re), copy[0].Re, 1e-3f);
        backend.Transform(copy, shape, FftDirection.Inverse);
        Assert.True(DeterminismTests.RelativeDifference(data, copy) < 1e-6);
    }

    [Fact]
    public void Align_RecoversShiftTwinAndPhase()
    {
        var shape = Shape.Of(64, 64);
        var random = new Random(2);
        var truth = new Complex32[shape.Length];
        for (var y = 20; y < 40; y++)
        {
            for (var x = 24; x < 36 + (y / 4); x++)
            {
                truth[(y * 64) + x] = Complex32.FromPolar(0.5f + (float)random.NextDouble(), (float)random.NextDouble());
            }
        }

        // The twin (point-inverted conjugate), shifted by (3, −5), with a phase ramp of 0.05 rad/px along x and a global phase of 1 rad.
        var twin = ArrayTools.PointInvert<Complex32>(truth, shape).Select(z => z.Conjugate()).ToArray();
        var moved = ArrayTools.Shift<Complex32>(twin, shape, 0, 3, -5).Select((z, i) => Complex32.FromPolar(1, 1 + (0.05f * (i % 64))) * z).ToArray();
        var alignment = Canonicalizer.Align(truth, moved, shape, backend);
        Assert.True(alignment.Twin);
        Assert.True(alignment.Correlation > 0.9, $"correlation {alignment.Correlation}");
        // The ramp leaves a few hundredths of a pixel in the parabolic peak refinement (R_match 1e-3 without one).
        Assert.True(Canonicalizer.RMatch(truth, alignment.Aligned) < 3e-3, $"R_match {Canonicalizer.RMatch(truth, alignment.Aligned)}");

        // A sub-pixel shift is undone to well below a pixel.
        var spectrum = (Complex32[])truth.Clone();
        backend.Transform(spectrum, shape, FftDirection.Forward);
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                var phase = -2 * Math.PI * ((0.4 * ArrayTools.Signed(y, 64)) + (-0.3 * ArrayTools.Signed(x, 64))) / 64;
                spectrum[(y * 64) + x] = Complex32.FromPolar(1, (float)phase) * spectrum[(y * 64) + x];
            }
        }

        backend.Transform(spectrum, shape, FftDirection.Inverse);
        var sub = Canonicalizer.Align(truth, spectrum, shape, backend);
        Assert.False(sub.Twin);
        Assert.InRange(sub.Shift[1], -0.6, -0.2);
        Assert.InRange(sub.Shift[2], 0.1, 0.5);
    }

    [Fact]
    public void RemoveRelativeRamp_TakesAwayTheRampBetweenTwoObjects_AndLeavesTheReference()
    {
        var shape = Shape.Of(32, 32);
        var random = new Random(4);
        var reference = new Complex32[shape.Length];
        for (var y = 8; y < 24; y++)
        {
            for (var x = 8; x < 24; x++)
            {
                reference[(y * 32) + x] = Complex32.FromPolar(0.5f + (float)random.NextDouble(), (float)(2 * random.NextDouble()));
            }
        }

        var copy = (Complex32[])reference.Clone();
        var ramped = reference.Select((z, i) => Complex32.FromPolar(1, (0.3f * (i / 32)) - (0.2f * (i % 32)) + 0.7f) * z).ToArray();
        Canonicalizer.RemoveRelativeRamp(reference, ramped, shape);
        Assert.Equal(copy, reference);
        var phases = ramped.Zip(reference, (a, b) => a * b.Conjugate()).Where(z => z.Norm2 > 0).Select(z => z.Phase).ToArray();
        Assert.True(phases.Max() - phases.Min() < 1e-3, $"relative phase spans {phases.Max() - phases.Min()} rad");
    }

    [Fact]
    public void FreePixels_AboutTheFraction_InCentrosymmetricIslands_AwayFromTheCentre()
    {
        var shape = Shape.Of(128, 128);
        var classes = new byte[shape.Length];
        classes[5] = PixelClass.Unknown;
        var held = FreePixels.HoldOut(classes, shape, 0.05, 3);
        Assert.InRange(held, (long)(0.05 * (shape.Length - 1)), (long)(0.05 * shape.Length) + 20);
        Assert.Equal(PixelClass.Unknown, classes[5]);
        for (var y = 0; y < 128; y++)
        {
            for (var x = 0; x < 128; x++)
            {
                if (classes[(y * 128) + x] != PixelClass.HeldOut)
                {
                    continue;
                }

                Assert.Equal(PixelClass.HeldOut, classes[(ArrayTools.Mod(-y, 128) * 128) + ArrayTools.Mod(-x, 128)]);
                var fy = ArrayTools.Signed(y, 128);
                var fx = ArrayTools.Signed(x, 128);
                Assert.True(Math.Sqrt((fy * fy) + (fx * fx)) >= 0.05 * 128);
            }
        }
    }

    [Fact]
    public void PreparedData_FollowsTheCentreOfSymmetry_WhenTheBeamCentreIsUnknown()
    {
        var shape = Shape.Of(32, 32);
        var intensity = new float[shape.Length];
        intensity[(15 * 32) + 16] = 100;
        intensity[(14 * 32) + 16] = 1;
        intensity[(16 * 32) + 16] = 1;
        var data = new DiffractionData(shape, intensity);
        var prepared = PreparedData.Create(data, 0, 1);
        Assert.Equal([0, 15, 16], prepared.Centre);
        Assert.Equal(10f, prepared.Amplitude[0]);
        Assert.Equal([0, 16, 16], PreparedData.Create(data, 0, 1, PatternCentering.Array).Centre);
    }

    [Fact]
    public void ShapeSupport_CircleAndSquareHaveTheirArea()
    {
        var data = new DiffractionData(Shape.Of(64, 64), new float[64 * 64]);
        var circle = new ShapeSupportFinder().FindSupport(data, new ShapeSupportOptions { Shape = SupportShape.Circle, Size = 20 }, StepContext.None);
        Assert.InRange(ArrayTools.Count(circle), 300, 330);
        var square = new ShapeSupportFinder().FindSupport(data, new ShapeSupportOptions { Shape = SupportShape.Square, Size = 10 }, StepContext.None);
        Assert.Equal(100, ArrayTools.Count(square));
    }

    [Fact]
    public void AutocorrelationSupport_CoversTheObjectsAutocorrelation()
    {
        using var sim = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        var data = Simulation.Simulator.Simulate(new Simulation.SimulateOptions { Size = 64, Oversampling = 4, Photons = 1e9, Seed = 2, BeamstopRadius = 0 }, sim);
        var support = new AutocorrelationSupportFinder().FindSupport(data, new AutocorrelationSupportOptions { Threshold = 0.04, Sigma = 1 }, StepContext.None);
        var objectPixels = data.GroundTruth!.Count(z => z.Norm2 > 0);
        var count = ArrayTools.Count(support);
        Assert.InRange(count, objectPixels, 8 * objectPixels);
        Assert.Equal(1, support[(32 * 64) + 32]);
        Assert.Equal(0, support[0]);
    }

    [Fact]
    public void Morph_DilatesAndErodesBySquareSteps()
    {
        var shape = Shape.Of(16, 16);
        var square = ArrayTools.Square(shape, 4);
        Assert.Equal(64, ArrayTools.Count(ArrayTools.Morph(square, shape, 2)));
        Assert.Equal(4, ArrayTools.Count(ArrayTools.Morph(square, shape, -1)));
    }
}
