using System.Diagnostics;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Denoising;

/// <summary>Trains and applies the patch-regression denoiser.</summary>
internal static class DenoiserTraining
{
    /// <summary>The model kind written in provenance.</summary>
    public const string Kind = "denoiser";

    /// <summary>Trains on simulated patterns, validates on one unseen pattern, and returns the model with its provenance.</summary>
    public static ModelFile Train(MLContext ml, TrainingPlan plan, IProgress<(double Fraction, string Message)>? progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var spec = plan.Simulation;
        var perPattern = Math.Max(1, plan.Samples / plan.Patterns);
        var table = new FeatureTable(PatchFeatures.Width, perPattern * plan.Patterns);
        for (var k = 0; k < plan.Patterns; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var pattern = PatternSimulator.Simulate(spec, plan.PatternSeed(k));
            var a = PatchFeatures.Anscombe(pattern.Counts);
            var random = new Random(plan.PatternSeed(k) + 7);
            var measured = Enumerable.Range(0, pattern.Counts.Length).Where(i => PatchFeatures.Known(pattern.Mask, i)).ToArray();
            for (var s = 0; s < perPattern && measured.Length > 0; s++)
            {
                var i = measured[random.Next(measured.Length)];
                var target = 2f * MathF.Sqrt(pattern.Expected[i] + 0.375f);
                var row = table.Add(target - a[i]);
                PatchFeatures.Fill(a, pattern.Mask, spec.Ny, spec.Nx, i / spec.Nx, i % spec.Nx, row);
            }

            progress?.Report((0.4 * (k + 1) / plan.Patterns, $"simulated training pattern {k + 1}/{plan.Patterns} (seed {plan.PatternSeed(k)})"));
        }

        progress?.Report((0.45, $"training FastTree ({plan.Trees} trees × {plan.Leaves} leaves) on {table.Count} patches"));
        var data = Trees.ToDataView(ml, table);
        var model = Trees.Regression(ml, data, plan.Trees, plan.Leaves, 20);
        cancel.ThrowIfCancellationRequested();
        var trainSeconds = clock.Elapsed.TotalSeconds;

        progress?.Report((0.9, $"validating on an unseen pattern (seed {plan.ValidationSeed})"));
        var validation = PatternSimulator.Simulate(spec, plan.ValidationSeed);
        var denoised = Apply(ml, model, validation.Counts, validation.Mask, spec.Ny, spec.Nx);
        var raw = AmplitudeRmse(validation.Counts, validation.Expected, validation.Mask);
        var after = AmplitudeRmse(denoised, validation.Expected, validation.Mask);
        var provenance = plan.Describe(PatchFeatures.Contract, trainSeconds);
        provenance["validation_amplitude_rmse_raw"] = Math.Round(raw, 6);
        provenance["validation_amplitude_rmse_denoised"] = Math.Round(after, 6);
        provenance["validation_rmse_reduction"] = Math.Round(raw > 0 ? 1 - (after / raw) : 0, 4);
        progress?.Report((1, $"trained in {clock.Elapsed.TotalSeconds:F1} s; validation amplitude RMSE {raw:G4} → {after:G4} ({100 * (raw > 0 ? 1 - (after / raw) : 0):F1} % lower)"));
        return new ModelFile(Kind, model, data.Schema, provenance);
    }

    /// <summary>Denoises the measured pixels of a 2D pattern; unknown pixels keep their values.</summary>
    public static float[] Apply(MLContext ml, ITransformer model, float[] counts, uint[] mask, int ny, int nx)
    {
        var (table, pixels) = PatchFeatures.AllMeasured(counts, mask, ny, nx);
        var scores = Trees.Score(ml, model, table, probability: false);
        var output = (float[])counts.Clone();
        for (var j = 0; j < pixels.Length; j++)
        {
            var centre = table.Features[(j * PatchFeatures.Width) + 24];
            var value = PatchFeatures.Inverse(centre + scores[j]);
            output[pixels[j]] = float.IsFinite(value) ? value : counts[pixels[j]];
        }

        return output;
    }

    /// <summary>RMSE of √I against √(expected) over the measured pixels.</summary>
    public static double AmplitudeRmse(float[] intensity, float[] expected, uint[] mask)
    {
        double sum = 0;
        long n = 0;
        for (var i = 0; i < intensity.Length; i++)
        {
            if (!PatchFeatures.Known(mask, i))
            {
                continue;
            }

            var d = Math.Sqrt(Math.Max(0, intensity[i])) - Math.Sqrt(Math.Max(0, expected[i]));
            sum += d * d;
            n++;
        }

        return n == 0 ? 0 : Math.Sqrt(sum / n);
    }
}
