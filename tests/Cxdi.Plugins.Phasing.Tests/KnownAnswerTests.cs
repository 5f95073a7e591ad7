using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Phasing.Tests;

/// <summary>Simulated objects with a beamstop over the core of the central speckle and masked detector gaps, reconstructed and compared with the truth.</summary>
public sealed class KnownAnswerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1e9, 0.10)]
    [InlineData(1e6, 0.25)]
    public void Simulated2D_256_ErrorBelowBound_AndAverageBeatsMedianRun(double photons, double bound)
    {
        var simulation = new SimulateOptions { Dims = 2, Size = 256, Oversampling = 4, Photons = photons, Seed = 11, BeamstopRadius = 0.5, GapWidth = 3, GapOffsets = [21, -47] };
        var options = new PhaseOptions
        {
            Operators = "ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100",
            Runs = 6,
            Keep = 2,
            Seed = 5,
            Support = InitialSupportSource.Autocorrelation,
            SupportThresholdReference = SupportThresholdReference.Max,

            // Runs side by side on one thread each, fixed: the automatic choice is timed, and a run's rounding (so its
            // chaotic path) depends on its FFT's thread count.
            ParallelRuns = 2,
        };
        Check(simulation, options, bound);
    }

    [Theory]
    [InlineData(1e9, 0.10, "ER**30 * (Sup * ER**5 * HIO**20)**8 * HIO**60", 3, 2)]
    [InlineData(1e6, 0.25, "ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100", 4, 3)] // measured 0.205; the short recipe gives 0.36 at this dose
    public void Simulated3D_64_ErrorBelowBound_AndAverageBeatsMedianRun(double photons, double bound, string operators, int runs, int keep)
    {
        var simulation = new SimulateOptions { Dims = 3, Size = 64, Oversampling = 4, Photons = photons, Seed = 12, BeamstopRadius = 0.5, GapWidth = 2, GapOffsets = [9] };
        var options = new PhaseOptions
        {
            Operators = operators,
            Runs = runs,
            Keep = keep,
            Seed = 3,
            Support = InitialSupportSource.Autocorrelation,
            SupportThresholdReference = SupportThresholdReference.Max,

            // Runs side by side on one thread each, fixed: the automatic choice is timed, and a run's rounding (so its
            // chaotic path) depends on its FFT's thread count.
            ParallelRuns = 2,
        };
        Check(simulation, options, bound);
    }

    /// <summary>
    /// Phases the simulation from three seeds (runs are chaotic: one seed's luck says little): the median of the three
    /// average errors must be within <paramref name="bound"/>, and each average must beat its own median run.
    /// </summary>
    private void Check(SimulateOptions simulation, PhaseOptions options, double bound)
    {
        using var backend = new CpuComputeBackend(Cxdi.Plugins.Phasing.Fft.FftPreference.Auto, 0);
        var data = Simulator.Simulate(simulation, backend);
        Assert.Contains(data.Mask, m => (m & (uint)MaskFlags.Beamstop) != 0);
        Assert.Contains(data.Mask, m => (m & (uint)MaskFlags.Gap) != 0);
        var truth = data.GroundTruth!;
        var averages = new List<double>();
        foreach (var seed in new[] { options.Seed, options.Seed + 100, options.Seed + 200 })
        {
            var set = new PhasePlugin().Reconstruct(data, options with { Seed = seed }, StepContext.None);
            var runErrors = set.Runs.Where(r => r.Object.Length > 0).Select(r => Canonicalizer.ErrorToTruth(truth, r.Object, data.Shape, backend)).OrderBy(e => e).ToArray();
            var averageError = Canonicalizer.ErrorToTruth(truth, set.Average!, data.Shape, backend);
            var median = runErrors[runErrors.Length / 2];
            output.WriteLine($"{data.Shape} {simulation.Photons:G2} photons, seed {seed}: average error {averageError:F4}, runs {string.Join(", ", runErrors.Select(e => e.ToString("F4")))}; PRTF cutoff {set.PrtfCutoff}; {set.Runs.Average(r => r.Seconds):F2} s per run");
            Assert.True(averageError <= (median * 1.001) + 1e-6, $"seed {seed}: average error {averageError:F4} worse than the median run {median:F4}");
            Assert.Equal(options.Keep, set.Runs.Count(r => r.State == RunState.Kept));
            Assert.All(set.Runs.Where(r => r.State == RunState.Kept), r => Assert.NotNull(r.RMatch));
            Assert.NotNull(set.Prtf);
            averages.Add(averageError);
        }

        averages.Sort();
        Assert.True(averages[1] <= bound, $"median average error {averages[1]:F4} above {bound} (seeds: {string.Join(", ", averages.Select(e => e.ToString("F4")))})");
    }
}
