using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Sdk.Execution;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// The <c>series</c> row of <c>cxdi bench</c>: a simulated time-resolved series (drifting and deforming object, 1e8 photons
/// per frame, beamstop and gaps) phased by <c>cxdi.phase.series</c> with its default recipes; reports the warm-start
/// throughput (frames per second) and the median error to the true objects.
/// </summary>
internal static class SeriesBench
{
    /// <summary>Simulates <paramref name="frames"/> frames of <paramref name="size"/>² spread over the motion of a 200-frame series, then phases them.</summary>
    public static Result Measure(string backend, int threads, int size, int frames, StepContext context)
    {
        var simulation = new SimulateOptions
        {
            Dims = 2,
            Size = size,
            Oversampling = 4,
            Photons = 1e8,
            Seed = 1,
            BeamstopRadius = 0.5,
            GapWidth = Math.Max(1, size / 85),
            GapOffsets = [size / 12, -size / 5],
            Series = frames,
            Motion = [SeriesMotion.Drift, SeriesMotion.Deform],

            // The same motion per frame as a 200-frame series at motion_scale 1 (the issue's target).
            MotionScale = (frames - 1) / 199.0,
        };
        var preference = backend == "fftw" ? FftPreference.Fftw : FftPreference.Managed;
        var clock = Stopwatch.StartNew();
        using (var simulator = new CpuComputeBackend(preference, threads))
        {
            var data = Simulator.Simulate(simulation, simulator);
            var simulate = clock.Elapsed.TotalSeconds;
            var options = new SeriesPhaseOptions { Backend = backend == "fftw" ? "cpu" : "cpu-managed", Threads = threads, Seed = 3 };
            clock.Restart();
            var set = new SeriesPhasePlugin().Reconstruct(data, options, context);
            var wall = clock.Elapsed.TotalSeconds;
            var f = (Dictionary<string, object>)set.Findings[SeriesPhasePlugin.FindingsKey];
            var warmSeconds = (double)f["warm_seconds_per_frame"];
            var median = f.TryGetValue("median_error_to_truth", out var m) ? (double)m : double.NaN;
            var detail = string.Create(CultureInfo.InvariantCulture, $"ms per warm frame (ms_per_cycle); {frames} frames, {threads} threads, {set.Backend}; warm {1 / warmSeconds:F1} frames/s ({options.WarmOperators}); ab initio {(double)f["ab_initio_seconds"]:F2} s; all frames incl. ab initio {(double)f["frames_per_second"]:F1} frames/s; step wall {wall:F2} s (with error to truth); median error to truth {median:F4}; simulate {simulate:F1} s");
            return new Result($"{frames}x{size}x{size}", "series", backend, Math.Round(warmSeconds * 1000, 2), null, null, null, null, null, null, detail);
        }
    }
}
