using System.Diagnostics;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Per-pixel uncertainty maps of the kept runs and the FSC between reconstructions from two halves of the pixels.</summary>
public sealed class UncertaintyTests(ITestOutputHelper output)
{
    [Fact]
    public void Map_IsZeroForIdenticalRuns()
    {
        var random = new Random(3);
        var obj = Enumerable.Range(0, 64).Select(_ => Complex32.FromPolar((float)(0.1 + random.NextDouble()), (float)((2 * random.NextDouble()) - 1) * 3f)).ToArray();
        var average = Average([obj, obj, obj]);
        var (amplitude, phase) = EnsembleSpread.Map([obj, obj, obj], average, null);
        Assert.All(amplitude, a => Assert.Equal(0f, a));
        Assert.All(phase, p => Assert.InRange(p, 0f, 1e-6f));
    }

    [Fact]
    public void Map_MatchesTheHandComputedStandardDeviation()
    {
        // Pixel 0: amplitudes 1, 2, 3 at phase 0 → mean 2, sample std √((1 + 0 + 1) / 2) = 1; phases all equal → 0.
        // Pixel 1: amplitude 1 at phases −0.3, 0, +0.3 → average real, δ = −0.3, 0, 0.3 → √(0.18 / 2) = 0.3; amplitude std 0.
        // Pixel 2: outside the support → phase NaN; amplitudes 0, 0, 3 → std √((1 + 1 + 4) / 2) = √3.
        Complex32[] a = [new(1, 0), Complex32.FromPolar(1, -0.3f), new(0, 0)];
        Complex32[] b = [new(2, 0), Complex32.FromPolar(1, 0), new(0, 0)];
        Complex32[] c = [new(3, 0), Complex32.FromPolar(1, 0.3f), new(0, 3)];
        var average = Average([a, b, c]);
        var (amplitude, phase) = EnsembleSpread.Map([a, b, c], average, [1, 1, 0]);
        Assert.Equal(1.0, amplitude[0], 6);
        Assert.Equal(0.0, amplitude[1], 6);
        Assert.Equal(Math.Sqrt(3), amplitude[2], 6);
        Assert.Equal(0.0, phase[0], 6);
        Assert.Equal(0.3, phase[1], 5);
        Assert.True(float.IsNaN(phase[2]));
    }

    [Fact]
    public void Map_IsLargerWhereRunsDisagree()
    {
        var shape = Shape.Of(32, 32);
        var random = new Random(7);
        var truth = new Complex32[shape.Length];
        var support = new byte[shape.Length];
        for (var y = 8; y < 24; y++)
        {
            for (var x = 8; x < 24; x++)
            {
                truth[(y * 32) + x] = Complex32.FromPolar(1f, 0.05f * x);
                support[(y * 32) + x] = 1;
            }
        }

        // Five runs: small noise everywhere, large amplitude and phase noise in the block rows 10–13, columns 10–13.
        var runs = Enumerable.Range(0, 5).Select(_ => truth.Select((z, i) =>
        {
            var (y, x) = (i / 32, i % 32);
            var loud = y is >= 10 and < 14 && x is >= 10 and < 14;
            var amplitudeNoise = (float)(random.NextDouble() - 0.5) * (loud ? 0.6f : 0.02f);
            var phaseNoise = (float)(random.NextDouble() - 0.5) * (loud ? 1.2f : 0.02f);
            return z.Norm2 > 0 ? Complex32.FromPolar(z.Abs + amplitudeNoise, MathF.Atan2(z.Im, z.Re) + phaseNoise) : z;
        }).ToArray()).ToList();
        var average = Average(runs);
        var (amplitude, phase) = EnsembleSpread.Map(runs, average, support);
        bool Loud(int i) => i / 32 is >= 10 and < 14 && i % 32 is >= 10 and < 14;
        var loudAmplitude = amplitude.Where((_, i) => Loud(i)).Average();
        var quietAmplitude = amplitude.Where((_, i) => !Loud(i) && support[i] != 0).Average();
        var loudPhase = phase.Where((_, i) => Loud(i)).Average();
        var quietPhase = phase.Where((_, i) => !Loud(i) && support[i] != 0).Average();
        output.WriteLine($"amplitude std {loudAmplitude:F4} loud, {quietAmplitude:F4} quiet; phase std {loudPhase:F4} loud, {quietPhase:F4} quiet");
        Assert.True(loudAmplitude > 10 * quietAmplitude, $"amplitude std {loudAmplitude:F4} where runs disagree, {quietAmplitude:F4} elsewhere");
        Assert.True(loudPhase > 10 * quietPhase, $"phase std {loudPhase:F4} where runs disagree, {quietPhase:F4} elsewhere");

        // a uniform noise of half-width w has std w/√3: the loud amplitude std is about 0.3/√3 = 0.17
        Assert.InRange(loudAmplitude, 0.08, 0.26);
        Assert.All(phase.Where((_, i) => support[i] == 0), p => Assert.True(float.IsNaN(p)));
    }

    [Fact]
    public void Split_HalvesAreDisjoint_CoverTheMeasuredPixels_AndKeepFriedelPairsTogether()
    {
        var shape = Shape.Of(32, 48);
        var random = new Random(5);
        var classes = Enumerable.Range(0, (int)shape.Length).Select(_ => random.NextDouble() switch
        {
            < 0.1 => PixelClass.Unknown,
            < 0.15 => PixelClass.HeldOut,
            _ => PixelClass.Measured,
        }).ToArray();
        var (first, second) = PixelHalves.Split(classes, shape, 11);
        long inFirst = 0, inSecond = 0;
        for (var i = 0; i < classes.Length; i++)
        {
            if (classes[i] != PixelClass.Measured)
            {
                // unknown and held-out pixels stay what they are in both halves
                Assert.Equal(classes[i], first[i]);
                Assert.Equal(classes[i], second[i]);
                continue;
            }

            var a = first[i] == PixelClass.Measured;
            var b = second[i] == PixelClass.Measured;
            Assert.True(a ^ b, $"pixel {i} is measured in {(a ? "both halves" : "neither half")}");
            inFirst += a ? 1 : 0;
            inSecond += b ? 1 : 0;
            var (y, x) = (i / 48, i % 48);
            var mate = (((32 - y) % 32) * 48) + ((48 - x) % 48);
            if (classes[mate] == PixelClass.Measured)
            {
                Assert.Equal(first[i], first[mate]);
            }
        }

        var fraction = (double)inFirst / (inFirst + inSecond);
        Assert.InRange(fraction, 0.45, 0.55);
        Assert.Equal(PixelHalves.Split(classes, shape, 11).First, first);
    }

    [Theory]
    [InlineData(1e9, 0.9, 1.0)] // noise-free: the halves agree up to Nyquist (no cut-off, or a late one)
    [InlineData(1e4, 0.25, 0.95)] // 10⁴ photons: independent noise in the two halves limits the resolution (measured 0.84)
    public void FscPixelHalves_OnASimulatedObject_IsNearOneAtLowFrequency_WithASensibleCutoff(double photons, double lowestCutoff, double highestCutoff)
    {
        var simulation = new SimulateOptions { Dims = 2, Size = 64, Oversampling = 4, Photons = photons, Seed = 4, BeamstopRadius = 0.5 };
        var options = new PhaseOptions
        {
            Operators = "ER**30 * (Sup * ER**5 * HIO**20)**8 * HIO**60",
            Runs = 3,
            Keep = 2,
            Seed = 2,
            Support = InitialSupportSource.Autocorrelation,
            SupportThresholdReference = SupportThresholdReference.Max,
            SupportThreshold = 0.25,
            // The PyNX-style shrink-wrap this test was set for, in one generation (not the ab-initio defaults).
            Generations = 1,
            AutocorrelationThreshold = 0.1,
            SupportSigmaStart = 2,
            SupportSigmaEnd = 0.5,
            ParallelRuns = 1,
            Threads = 1,
            FscPixelHalves = true,
            FscPixelHalvesRuns = 2,
        };
        using var backend = new CpuComputeBackend(FftPreference.Managed, 1);
        var data = Simulator.Simulate(simulation, backend);
        var watch = Stopwatch.StartNew();
        var set = new PhasePlugin().Reconstruct(data, options, StepContext.None);
        var seconds = watch.Elapsed.TotalSeconds;
        var curve = Assert.IsType<FrequencyCurve>(set.FscHalfPixels);
        var findings = (Dictionary<string, object>)set.Findings["cxdi.phase"];
        var halves = (Dictionary<string, object>)findings["fsc_half_pixels"];
        output.WriteLine($"{seconds:F2} s in all, {halves["seconds"]} s for the halves; FSC half pixels cut-off {set.FscHalfPixelsCutoff}; half runs {set.FscHalfRunsCutoff}; PRTF {set.PrtfCutoff}");
        output.WriteLine(string.Join(" ", curve.Value.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
        var lowest = curve.Value.Take(curve.Value.Length / 8).Min();
        Assert.True(lowest > 0.9, $"FSC over the lowest eighth of frequencies falls to {lowest:F3}");
        var cutoff = set.FscHalfPixelsCutoff ?? 1.0;
        Assert.InRange(cutoff, lowestCutoff, highestCutoff);
        Assert.Equal(set.FscHalfPixelsCutoff ?? double.NaN, (double)halves["cutoff"]);
        Assert.Equal(2, (int)halves["runs_per_half"]);

        // the maps and the half-runs FSC of the main runs come with it
        Assert.NotNull(set.FscHalfRuns);
        Assert.Equal(set.Shape.Length, set.AmplitudeUncertainty!.LongLength);
        Assert.Equal(set.Shape.Length, set.PhaseUncertainty!.LongLength);
        Assert.Contains("phase_std_median_rad", ((Dictionary<string, object>)findings["uncertainty_map"]).Keys);
    }

    [Fact]
    public void MergeOnly_GivesTheMapsAndThePixelHalvesFscOfAFullRun()
    {
        var runsDir = Directory.CreateTempSubdirectory("cxdi-unc-runs-");
        try
        {
            var data = Simulator.Simulate(new SimulateOptions { Dims = 2, Size = 48, Photons = 1e6, Seed = 8 }, new CpuComputeBackend(FftPreference.Managed, 1));
            var options = new PhaseOptions
            {
                Operators = "ER**20 * (Sup * ER**5 * HIO**20)**4 * HIO**40",
                Runs = 3,
                Keep = 3,
                Seed = 6,
                Threads = 1,
                ParallelRuns = 1,
                Backend = "cpu-managed",
                Support = InitialSupportSource.Autocorrelation,
                SupportThreshold = 0.25,
                SupportThresholdReference = SupportThresholdReference.Rms,
                // The PyNX-style shrink-wrap this test was set for, in one generation (not the ab-initio defaults).
                Generations = 1,
                AutocorrelationThreshold = 0.1,
                SupportSigmaStart = 2,
                SupportSigmaEnd = 0.5,
                FscPixelHalves = true,
                FscPixelHalvesRuns = 1,
                RunsDir = runsDir.FullName,
            };
            var full = new PhasePlugin().Reconstruct(data, options, StepContext.None);
            var merged = new PhasePlugin().Reconstruct(data, options with { MergeOnly = true }, StepContext.None);
            Assert.Equal(full.AmplitudeUncertainty, merged.AmplitudeUncertainty);
            Assert.Equal(full.PhaseUncertainty, merged.PhaseUncertainty);
            Assert.Equal(full.FscHalfRuns!.Value, merged.FscHalfRuns!.Value);
            Assert.Equal(full.FscHalfPixels!.Value, merged.FscHalfPixels!.Value);
            Assert.Equal(full.FscHalfPixelsCutoff, merged.FscHalfPixelsCutoff);
        }
        finally
        {
            runsDir.Delete(recursive: true);
        }
    }

    [Fact]
    public void UncertaintyMaps_AreNull_WhenOneRunIsKept()
    {
        var data = Simulator.Simulate(new SimulateOptions { Dims = 2, Size = 32, Seed = 1 }, new CpuComputeBackend(FftPreference.Managed, 1));
        var set = new PhasePlugin().Reconstruct(data, new PhaseOptions { Operators = "ER**5 * HIO**10", Runs = 1, Keep = 1, Threads = 1 }, StepContext.None);
        Assert.Null(set.AmplitudeUncertainty);
        Assert.Null(set.PhaseUncertainty);
        Assert.Null(set.FscHalfRuns);
        Assert.Null(set.FscHalfPixels);
        Assert.Equal("needs keep >= 2", ((Dictionary<string, object>)set.Findings["cxdi.phase"])["uncertainty_map"]);
    }

    private static Complex32[] Average(IReadOnlyList<Complex32[]> runs)
    {
        var average = new Complex32[runs[0].Length];
        foreach (var run in runs)
        {
            for (var i = 0; i < average.Length; i++)
            {
                average[i] += run[i];
            }
        }

        return [.. average.Select(z => (1f / runs.Count) * z)];
    }
}
