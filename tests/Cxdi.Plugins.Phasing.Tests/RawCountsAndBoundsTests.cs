using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Raw counts beside a denoised pattern (every LLK on the raw counts, final cycles on them) and predicted ranges at unknown pixels as a soft constraint.</summary>
public sealed class RawCountsAndBoundsTests(ITestOutputHelper output)
{
    private const string Recipe = "ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100";

    /// <summary>Eight pixels whose results are worked out by hand: below, inside and above the range, ψ = 0, no range (NaN), a measured and a held-out pixel with a range, an inverted range.</summary>
    [Fact]
    public void ClampAmplitude_TinyArray_MatchesHandValues_ManagedAndCpuAgree()
    {
        var shape = Shape.Of(2, 4);
        Complex32[] psi = [new(3, 4), new(0.6f, 0.8f), new(6, 8), new(0, 0), new(30, 40), new(3, 4), new(3, 4), new(3, 4)];
        float[] lower = [10, 0.5f, 2, 1.5f, float.NaN, 10, 10, 10];
        float[] upper = [20, 2, 5, 3, float.NaN, 20, 20, 1];
        byte[] classes = [PixelClass.Unknown, PixelClass.Unknown, PixelClass.Unknown, PixelClass.Unknown, PixelClass.Unknown, PixelClass.Measured, PixelClass.HeldOut, PixelClass.Unknown];

        // |3+4i| = 5 < 10 → (6, 8); |0.6+0.8i| = 1 in [0.5, 2] → kept; |6+8i| = 10 > 5 → (3, 4); ψ = 0 → (1.5, 0); no range, measured,
        // held out and an inverted range [10, 1] → kept.
        Complex32[] expected = [new(6, 8), new(0.6f, 0.8f), new(3, 4), new(1.5f, 0), new(30, 40), new(3, 4), new(3, 4), new(3, 4)];
        using var cpu = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 1);
        using var managed = new CoreOnlyBackend();
        foreach (IComputeBackend backend in new IComputeBackend[] { cpu, managed })
        {
            using var p = backend.AllocateComplex(shape);
            using var lo = backend.AllocateReal(shape);
            using var hi = backend.AllocateReal(shape);
            using var c = backend.AllocateMask(shape);
            backend.Upload(psi, p);
            backend.Upload(lower, lo);
            backend.Upload(upper, hi);
            backend.Upload(classes, c);
            var changed = backend.ClampAmplitude(p, lo, hi, c);
            var result = new Complex32[psi.Length];
            backend.Download(p, result);
            Assert.Equal(3, changed);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Re, result[i].Re, 5);
                Assert.Equal(expected[i].Im, result[i].Im, 5);
            }
        }
    }

    /// <summary>The CPU override agrees with the managed reference on a large random array (several chunks, many bounded pixels).</summary>
    [Fact]
    public void ClampAmplitude_RandomArray_CpuMatchesManagedReference()
    {
        var shape = Shape.Of(256, 256);
        var random = new Random(7);
        var psi = new Complex32[shape.Length];
        var lower = new float[shape.Length];
        var upper = new float[shape.Length];
        var classes = new byte[shape.Length];
        for (var i = 0; i < psi.Length; i++)
        {
            psi[i] = new Complex32((float)random.NextDouble() * 4 - 2, (float)random.NextDouble() * 4 - 2);
            classes[i] = (byte)random.Next(3);
            var bounded = random.NextDouble() < 0.5;
            lower[i] = bounded ? (float)random.NextDouble() * 2 : float.NaN;
            upper[i] = bounded ? lower[i] + ((float)random.NextDouble() * 1) : float.NaN;
        }

        var reference = (Complex32[])psi.Clone();
        var expectedChanged = ManagedKernels.ClampAmplitude(reference, lower, upper, classes);
        using var cpu = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Managed, 2);
        using var p = cpu.AllocateComplex(shape);
        using var lo = cpu.AllocateReal(shape);
        using var hi = cpu.AllocateReal(shape);
        using var c = cpu.AllocateMask(shape);
        cpu.Upload(psi, p);
        cpu.Upload(lower, lo);
        cpu.Upload(upper, hi);
        cpu.Upload(classes, c);
        Assert.Equal(expectedChanged, cpu.ClampAmplitude(p, lo, hi, c));
        var result = new Complex32[psi.Length];
        cpu.Download(p, result);
        Assert.True(expectedChanged > 5000, $"only {expectedChanged} pixels clamped");
        Assert.Equal(reference, result);
    }

    /// <summary>
    /// A denoised pattern (here: the raw counts blurred and scaled by 1.3, a deliberately wrong "denoiser") with the raw
    /// counts beside it: the run's final LLK and free LLK are those of its object against the raw counts, not the denoised
    /// pattern, and they differ from the denoised figures by far.
    /// </summary>
    [Fact]
    public void RawIntensity_Present_FinalLlkAndFreeLlkAreOnRawCounts()
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 0);
        var raw = Simulator.Simulate(new SimulateOptions { Size = 64, Oversampling = 4, Photons = 1e6, Seed = 21 }, backend);
        var data = raw.Clone();
        for (var i = 0; i < data.Intensity.Length; i++)
        {
            data.Intensity[i] *= 1.3f;
        }

        data.RawIntensity = (float[])raw.Intensity.Clone();
        var options = new PhaseOptions { Operators = "ER**20 * (Sup * ER**5 * HIO**20)**4 * HIO**40", Runs = 2, Keep = 1, Seed = 3, ParallelRuns = 1, Threads = 1, Generations = 1 };
        var set = new PhasePlugin().Reconstruct(data, options, StepContext.None);
        var findings = (Dictionary<string, object>)set.Findings["cxdi.phase"];
        Assert.Equal("raw", findings["llk_counts"]);
        Assert.Equal(20, findings["raw_cycles"]);

        var prepared = PreparedData.Create(data, options.FreeFraction, options.Seed, options.Centering, backend);
        Assert.NotNull(prepared.RawAmplitude);
        foreach (var run in set.Runs.Where(r => r.Object.Length > 0))
        {
            var psi = (Complex32[])run.Object.Clone();
            backend.Transform(psi, data.Shape, FftDirection.Forward);
            var onRaw = ManagedKernels.ProjectModulus((Complex32[])psi.Clone(), prepared.RawAmplitude!, prepared.Classes, project: false, metrics: true);
            var onDenoised = ManagedKernels.ProjectModulus((Complex32[])psi.Clone(), prepared.Amplitude, prepared.Classes, project: false, metrics: true);
            output.WriteLine($"run {run.Index}: LLK {run.Llk:F4} (raw {onRaw.Llk:F4}, denoised {onDenoised.Llk:F4}), free LLK {run.FreeLlk:F4} (raw {onRaw.FreeLlk:F4}, denoised {onDenoised.FreeLlk:F4})");
            Assert.Equal(onRaw.Llk, run.Llk, 3);
            Assert.Equal(onRaw.FreeLlk, run.FreeLlk, 3);
            Assert.True(Math.Abs(onDenoised.Llk - onRaw.Llk) > 0.05 * Math.Abs(onRaw.Llk), "the denoised and raw LLK should differ in this test");
            Assert.All(run.History, h => Assert.True(double.IsFinite(h.Llk)));
        }
    }

    /// <summary>raw_cycles beyond the operator sequence is a validation error naming the option.</summary>
    [Fact]
    public void RawCycles_BeyondSequence_IsValidationError()
    {
        var problems = new PhaseOptions { Operators = "ER**10 * HIO**20", RawCycles = 31 }.Validate().ToList();
        Assert.Contains(problems, p => p.Key == nameof(PhaseOptions.RawCycles) && p.Message.Contains("30 cycles", StringComparison.Ordinal));
        Assert.Empty(new PhaseOptions { Operators = "ER**10 * HIO**20", RawCycles = 30 }.Validate());
        static RunSettings Settings(string operators, int rawCycles = -1) => new()
        {
            Program = Cxdi.Plugins.Phasing.Operators.BuiltInOperators.Parse(operators),
            Support = new(),
            RawCycles = rawCycles,
        };
        Assert.Equal(50, Settings(Recipe).ResolvedRawCycles);
        Assert.Equal(0, Settings("HIO**200").ResolvedRawCycles);
        Assert.Equal(0, Settings(Recipe, 0).ResolvedRawCycles);
        Assert.Equal(120, Settings(Recipe, 120).ResolvedRawCycles);
    }

    /// <summary>
    /// A beamstop of two speckles (radius 4 px at 4 px speckles), 1e6 photons, three simulated objects: bounding the
    /// beamstop pixels by a predicted range (the true intensity, perturbed by a seeded 15 % error, ± 2σ) gives a lower
    /// error to the true object than leaving them free, on every data set. The pixels stay unknown: the measured and held-out
    /// pixel counts do not change.
    /// </summary>
    [Fact]
    public void BeamstopOfTwoSpeckles_SoftBounds_LowerErrorThanFree_OnThreeDataSets()
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 0);
        foreach (var seed in new long[] { 31, 32, 33 })
        {
            var simulation = new SimulateOptions { Size = 128, Oversampling = 4, Photons = 1e6, Seed = seed, BeamstopRadius = 1 };
            var data = Simulator.Simulate(simulation, backend);
            AddPredictedBounds(data, simulation, backend, seed);
            var options = new PhaseOptions { Operators = Recipe, Runs = 4, Keep = 2, Seed = 5, Support = InitialSupportSource.Autocorrelation, SupportThresholdReference = SupportThresholdReference.Max, SupportThreshold = 0.25, Generations = 1, AutocorrelationThreshold = 0.1, SupportSigmaStart = 2, SupportSigmaEnd = 0.5, ParallelRuns = 2 };
            var soft = new PhasePlugin().Reconstruct(data, options, StepContext.None);
            var free = new PhasePlugin().Reconstruct(data, options with { UnknownBounds = UnknownBounds.Free }, StepContext.None);
            var softError = Canonicalizer.ErrorToTruth(data.GroundTruth!, soft.Average!, data.Shape, backend);
            var freeError = Canonicalizer.ErrorToTruth(data.GroundTruth!, free.Average!, data.Shape, backend);
            var softFindings = (Dictionary<string, object>)soft.Findings["cxdi.phase"];
            var freeFindings = (Dictionary<string, object>)free.Findings["cxdi.phase"];
            output.WriteLine($"seed {seed}: error soft {softError:F4}, free {freeError:F4}; bounded pixels {softFindings["bounded_unknown_pixels"]}");
            Assert.True((long)softFindings["bounded_unknown_pixels"] > 40);
            Assert.Equal(0L, (long)freeFindings["bounded_unknown_pixels"]);
            Assert.Equal(freeFindings["measured_pixels"], softFindings["measured_pixels"]);
            Assert.True(softError < freeError, $"seed {seed}: bounded beamstop error {softError:F4} not below free {freeError:F4}");
        }
    }

    /// <summary>Sets bounds at the beamstop: λ(1 + 0.15 g) ± 2σ with λ the expected count from the true object, g a seeded normal deviate and σ = √λ + 0.15 λ.</summary>
    internal static void AddPredictedBounds(DiffractionData data, SimulateOptions simulation, IComputeBackend backend, long seed)
    {
        var shape = data.Shape;
        var wave = ArrayTools.IfftShift<Complex32>(data.GroundTruth!, shape);
        backend.Transform(wave, shape, FftDirection.Forward);
        var centred = ArrayTools.FftShift<Complex32>(wave, shape);
        var total = centred.Sum(z => (double)z.Norm2);
        var random = new Random((int)seed + 1000);
        data.LowerBound = new float[shape.Length];
        data.UpperBound = new float[shape.Length];
        Array.Fill(data.LowerBound, float.NaN);
        Array.Fill(data.UpperBound, float.NaN);
        for (var i = 0; i < shape.Length; i++)
        {
            if ((data.Mask[i] & (uint)MaskFlags.Beamstop) == 0)
            {
                continue;
            }

            var lambda = centred[i].Norm2 * simulation.Photons / total;
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var predicted = lambda * (1 + (0.15 * g));
            var sigma = Math.Sqrt(lambda) + (0.15 * lambda);
            data.LowerBound[i] = (float)Math.Max(0, predicted - (2 * sigma));
            data.UpperBound[i] = (float)(predicted + (2 * sigma));
        }
    }
}
