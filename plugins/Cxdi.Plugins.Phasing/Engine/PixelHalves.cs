using System.Diagnostics;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// Resolution from two disjoint halves of the measured Fourier pixels: each half is phased with the other half marked
/// unknown (same recipe, same starting support), the best run of each half is kept, the second is aligned on the first and
/// their Fourier shell correlation is taken. Held-out (free) pixels stay held out in both halves, so runs are still ranked
/// by free LLK; unknown pixels stay unknown.
/// </summary>
internal static class PixelHalves
{
    /// <summary>Seed offset of the first half's runs (the second half adds another 100000); the main runs use seed + i, the search seed + 100000 + i.</summary>
    public const long SeedOffset = 200000;

    /// <summary>The outcome: the FSC curve, its 1/7 cut-off, and what was done, for the findings.</summary>
    public sealed record Result(FrequencyCurve Curve, double? Cutoff, Dictionary<string, object> Findings);

    /// <summary>
    /// Splits the measured pixels of <paramref name="classes"/> (FFT order) into two halves at seeded random, each pixel
    /// together with its Friedel mate (−q), so a half never holds a pixel whose centrosymmetric twin the other half measures.
    /// Returns the pixel classes of each half: the pixels of the other half become <see cref="PixelClass.Unknown"/>.
    /// </summary>
    public static (byte[] First, byte[] Second) Split(byte[] classes, Shape shape, long seed)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var first = (byte[])classes.Clone();
        var second = (byte[])classes.Clone();
        var assigned = new byte[classes.Length];
        var random = new Random(unchecked((int)(seed ^ 0x4a1f)));
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var i = (((long)z * ny) + y) * nx + x;
                    if (classes[i] != PixelClass.Measured || assigned[i] != 0)
                    {
                        continue;
                    }

                    var half = (byte)(random.Next(2) + 1);
                    var mate = (((long)ArrayTools.Mod(-z, nz) * ny) + ArrayTools.Mod(-y, ny)) * nx + ArrayTools.Mod(-x, nx);
                    assigned[i] = half;
                    if (classes[mate] == PixelClass.Measured)
                    {
                        assigned[mate] = half;
                    }
                }
            }
        }

        for (var i = 0; i < classes.Length; i++)
        {
            if (assigned[i] == 1)
            {
                second[i] = PixelClass.Unknown;
            }
            else if (assigned[i] == 2)
            {
                first[i] = PixelClass.Unknown;
            }
        }

        return (first, second);
    }

    /// <summary>
    /// Phases both halves of <paramref name="amplitude"/>/<paramref name="classes"/> (host copies, FFT order) with
    /// <paramref name="settings"/> from <paramref name="support"/>, <paramref name="runs"/> starts per half, and returns the
    /// FSC of the best run of each half. Throws <see cref="PhasingFailedException"/> when no run of a half finished.
    /// </summary>
    public static Result Measure(IComputeBackend backend, float[] amplitude, byte[] classes, Shape shape, byte[] support, RunSettings settings, long seed, int runs, double maxOutsideEnergy, StepContext context, Action<string> report)
    {
        var watch = Stopwatch.StartNew();
        var (first, second) = Split(classes, shape, seed);
        var useFree = classes.Any(c => c == PixelClass.HeldOut);
        var best = new Reconstruction[2];
        var halves = new[] { first, second };
        var measured = new long[2];
        var scores = new List<double>[] { [], [] };
        for (var h = 0; h < 2; h++)
        {
            measured[h] = halves[h].LongCount(c => c == PixelClass.Measured);
            using var observations = Observations.Upload(backend, shape, amplitude, halves[h]);
            var finished = new List<Reconstruction>();
            for (var r = 0; r < runs; r++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var runSeed = seed + SeedOffset + (h * 100000L) + r;
                try
                {
                    var run = RunEngine.Run(backend, observations, support, settings, r, runSeed, state =>
                    {
                        if (state.Cycle % 50 == 0)
                        {
                            context.Cancellation.ThrowIfCancellationRequested();
                        }
                    });
                    finished.Add(run);
                    scores[h].Add(Math.Round(useFree ? run.FreeLlk : run.Llk, 5));
                    report($"fsc_pixel_halves: half {h + 1} run {r + 1} of {runs} finished in {run.Seconds:F2} s, {(useFree ? "free LLK" : "LLK")} {(useFree ? run.FreeLlk : run.Llk):G4}");
                }
                catch (CxdiException e)
                {
                    scores[h].Add(double.NaN);
                    report($"fsc_pixel_halves: half {h + 1} run {r + 1} of {runs} failed: {e.OneLine}");
                }
            }

            // Runs with most of their energy outside the support are not objects; if every run is such, the best still serves.
            var usable = finished.Where(f => f.EnergyOutsideSupport <= maxOutsideEnergy).ToList();
            best[h] = (usable.Count > 0 ? usable : finished).OrderBy(f => useFree ? f.FreeLlk : f.Llk).FirstOrDefault()
                ?? throw new PhasingFailedException($"fsc_pixel_halves: none of the {runs} runs of half {h + 1} finished", "raise fsc_pixel_halves_runs, or check that the recipe phases the full data");
        }

        var aligned = Canonicalizer.Align(best[0].Object, best[1].Object, shape, backend);
        var (curve, cutoff) = Canonicalizer.Fsc((Complex32[])best[0].Object.Clone(), aligned.Aligned, shape, backend);
        var findings = new Dictionary<string, object>
        {
            ["frequency"] = curve.Frequency.Select(f => Math.Round(f, 4)).ToArray(),
            ["fsc"] = curve.Value.Select(v => Math.Round(v, 4)).ToArray(),
            ["cutoff"] = cutoff ?? double.NaN,
            ["split"] = "seeded random, Friedel pairs together",
            ["measured_pixels"] = measured,
            ["runs_per_half"] = runs,
            [useFree ? "free_llk" : "llk"] = scores,
            ["best_runs"] = best.Select(b => b.Index).ToArray(),
            ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
        };
        return new Result(curve, cutoff, findings);
    }
}
