using System.Diagnostics;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Inpainting;

/// <summary>An inpainting result: predicted intensities with a range and a confidence per filled pixel.</summary>
/// <param name="Pixels">Indices of the filled pixels.</param>
/// <param name="Predicted">Predicted expected counts.</param>
/// <param name="Lower">Lower end of the ±2σ range (counts; σ on the scale ln(λ + 1)).</param>
/// <param name="Upper">Upper end of the ±2σ range (counts).</param>
/// <param name="Confidence">1 / (1 + sinh 2σ) with σ the calibrated residual scale in ln(λ + 1) (the relative ±2σ half-range), in (0, 1].</param>
internal sealed record Inpainted(int[] Pixels, float[] Predicted, float[] Lower, float[] Upper, float[] Confidence);

/// <summary>
/// Trains and applies the inpainting regressor. Training mixes real-valued objects (even patterns) with complex-valued ones
/// (odd patterns: a smooth random phase of ±0.5–1.5 rad), of two families (<see cref="Style"/>) and sizes about the
/// matched one (<see cref="Varied"/>). Residuals in ln(λ + 1) on held-out validation patterns (half real, half complex),
/// binned by distance to the nearest measured pixel, by whether the Friedel mate is measured and by the central Friedel
/// asymmetry of the pattern, give σ per bin; σ is then scaled by one factor so that the ±2σ ranges hold the true
/// (noise-free) intensity of at least <see cref="CoverageTarget"/> of the validation pixels (the calibration).
/// </summary>
internal static class InpaintTraining
{
    /// <summary>The model kind written in provenance.</summary>
    public const string Kind = "inpaint";

    /// <summary>The fraction of validation pixels whose true intensity the calibrated ±2σ range must hold.</summary>
    public const double CoverageTarget = 0.95;

    /// <summary>Validation patterns of the calibration (even: real objects, odd: complex).</summary>
    public const int ValidationPatterns = 16;

    /// <summary>Central Friedel asymmetry excess (Anscombe units², see <see cref="InpaintFeatures"/>) above which a pattern's pixels fall in the asymmetric σ bins.</summary>
    public const float AsymmetryThreshold = 2;

    /// <summary>Upper edges (px) of the distance bins of the residual table.</summary>
    private static readonly float[] DistanceBins = [1.5f, 3, 6, 12, float.MaxValue];

    /// <summary>The phase amplitude (rad) of training pattern <paramref name="k"/>: 0 (real) for even k, 0.5–1.5 for odd k, drawn from its seed.</summary>
    public static double PhaseAmplitude(int k, int seed) => k % 2 == 0 ? 0 : 0.5 + new Random(seed + 29).NextDouble();

    /// <summary>Smallest and largest scale of the training objects' diameter about the matched object size (log-uniform).</summary>
    public const double SizeSpread = 1.3;

    /// <summary>The simulation of pattern <paramref name="seed"/>: the matched one with the object diameter scaled by a log-uniform factor in [1/<see cref="SizeSpread"/>, <see cref="SizeSpread"/>] drawn from the seed, since the central speckle under a beamstop scales with the object's area and the matched size is only an estimate.</summary>
    public static SimulationSpec Varied(SimulationSpec spec, int seed) =>
        spec with { ObjectSize = spec.ObjectSize * Math.Exp(Math.Log(SizeSpread) * ((2 * new Random(seed + 31).NextDouble()) - 1)) };

    /// <summary>The object family of pattern <paramref name="k"/>: ellipses for k = 0, 1 (mod 4), textured blobs like cxdi.simulate's for k = 2, 3.</summary>
    public static ObjectStyle Style(int k) => (k / 2) % 2 == 0 ? ObjectStyle.Ellipses : ObjectStyle.TexturedBlobs;

    /// <summary>The seeds of the calibration patterns: the plan's validation seed, then seeds beyond every training seed.</summary>
    public static int[] ValidationSeeds(TrainingPlan plan) =>
        Enumerable.Range(0, ValidationPatterns).Select(j => j == 0 ? plan.ValidationSeed : 1_000_000_000 + (plan.Seed * 1000) + j).ToArray();

    /// <summary>Trains on the masked pixels of simulated patterns (each also flipped left-right and up-down, the mask kept), then calibrates the ranges.</summary>
    public static ModelFile Train(MLContext ml, TrainingPlan plan, IProgress<(double Fraction, string Message)>? progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var spec = plan.Simulation;
        var mask = spec.Mask ?? new uint[spec.Ny * spec.Nx];
        var targets = InpaintFeatures.Targets(mask, InpaintFeatures.DefaultFill);
        if (targets.Length == 0)
        {
            throw new Cxdi.Sdk.Errors.InvalidInputException("input", "the data have no beamstop, gap, missing or dead pixels to inpaint", "add a mask step before cxdi.inpaint, or drop the step");
        }

        progress?.Report((0, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"matched object size {spec.ObjectSize:F1} px (training objects {spec.ObjectSize / SizeSpread:F1}–{spec.ObjectSize * SizeSpread:F1} px), {spec.Photons:G3} photons, {targets.Length} pixels to fill")));
        var perPattern = Math.Max(1, plan.Samples / plan.Patterns);
        var table = new FeatureTable(InpaintFeatures.Width, Math.Min(perPattern, targets.Length * 3) * plan.Patterns);
        var complexSeeds = new List<object>();
        for (var k = 0; k < plan.Patterns; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var phaseAmplitude = PhaseAmplitude(k, plan.PatternSeed(k));
            if (phaseAmplitude > 0)
            {
                complexSeeds.Add(plan.PatternSeed(k));
            }

            var pattern = PatternSimulator.Simulate(Varied(spec, plan.PatternSeed(k)), plan.PatternSeed(k), phaseAmplitude, Style(k));
            var random = new Random(plan.PatternSeed(k) + 13);
            foreach (var flip in new[] { 0, 1, 2 })
            {
                var counts = Flip(pattern.Counts, spec.Ny, spec.Nx, flip);
                var expected = Flip(pattern.Expected, spec.Ny, spec.Nx, flip);
                var chosen = targets.Length * 3 <= perPattern ? targets : targets.OrderBy(_ => random.Next()).Take(Math.Max(1, perPattern / 3)).ToArray();
                var (features, _) = InpaintFeatures.Compute(counts, mask, spec.Ny, spec.Nx, chosen);
                for (var j = 0; j < chosen.Length; j++)
                {
                    var source = features.Features.AsSpan(j * InpaintFeatures.Width, InpaintFeatures.Width);
                    var row = table.Add(MathF.Log(expected[chosen[j]] + 1) - MathF.Log(InpaintFeatures.Reference(source) + 1));
                    source.CopyTo(row);
                }
            }

            var kind = (Style(k) == ObjectStyle.Ellipses ? "ellipses, " : "textured blobs, ") + (phaseAmplitude > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"complex, phase ±{phaseAmplitude:F2} rad") : "real");
            progress?.Report((0.6 * (k + 1) / plan.Patterns, $"simulated training pattern {k + 1}/{plan.Patterns} (seed {plan.PatternSeed(k)}, {kind})"));
        }

        progress?.Report((0.65, $"training FastTree ({plan.Trees} trees × {plan.Leaves} leaves) on {table.Count} masked pixels"));
        var data = Trees.ToDataView(ml, table);
        var model = Trees.Regression(ml, data, plan.Trees, plan.Leaves, 5);
        var seconds = clock.Elapsed.TotalSeconds;

        // Residuals on unseen patterns (half real, half complex) set σ per bin, then one factor calibrates the coverage.
        var seeds = ValidationSeeds(plan);
        var bins = new List<int>();
        var predicted = new List<float>();
        var truths = new List<float>();
        for (var v = 0; v < seeds.Length; v++)
        {
            cancel.ThrowIfCancellationRequested();
            var validation = PatternSimulator.Simulate(Varied(spec, seeds[v]), seeds[v], PhaseAmplitude(v, seeds[v]), Style(v));
            var (vf, vd) = InpaintFeatures.Compute(validation.Counts, mask, spec.Ny, spec.Nx, targets);
            var scores = ToAnscombe(vf, Trees.Score(ml, model, vf, probability: false));
            for (var j = 0; j < targets.Length; j++)
            {
                bins.Add(Bin(vd[j], vf.Features.AsSpan(j * InpaintFeatures.Width, InpaintFeatures.Width)));
                predicted.Add(PatchFeatures.Inverse(MathF.Max(0, scores[j])));
                truths.Add(validation.Expected[targets[j]]);
            }

            progress?.Report((0.7 + (0.25 * (v + 1) / seeds.Length), $"validated on unseen pattern {v + 1}/{seeds.Length} (seed {seeds[v]}, {(Style(v) == ObjectStyle.Ellipses ? "ellipses" : "textured blobs")}, {(v % 2 == 0 ? "real" : "complex")})"));
        }

        var sq = new double[BinCount];
        var count = new int[BinCount];
        double total = 0;
        for (var j = 0; j < bins.Count; j++)
        {
            var e = Math.Log(predicted[j] + 1.0) - Math.Log(truths[j] + 1.0);
            sq[bins[j]] += e * e;
            count[bins[j]]++;
            total += e * e;
        }

        var overall = Math.Sqrt(total / bins.Count);
        var rmse = Enumerable.Range(0, BinCount).Select(b => (float)(count[b] >= 5 ? Math.Round(Math.Sqrt(sq[b] / count[b]), 5) : Math.Round(overall, 5))).ToArray();
        var (factor, before, after) = Calibrate(rmse, bins, predicted, truths);
        var provenance = plan.Describe(InpaintFeatures.Contract, seconds);
        provenance["objects"] = "mixed: patterns k = 0, 1 (mod 4) ellipses, k = 2, 3 (mod 4) textured blobs like cxdi.simulate's; even k real-valued, odd k complex-valued (smooth random phase, white noise blurred by a third of the object radius, ±0.5–1.5 rad drawn per pattern); object diameter × 1/1.3–1.3 (log-uniform) about the matched size, validation patterns alike";
        provenance["complex_training_seeds"] = complexSeeds;
        provenance["validation_seeds"] = seeds.Cast<object>().ToList();
        provenance["validation_complex_seeds"] = seeds.Where((_, v) => v % 2 == 1).Cast<object>().ToList();
        provenance["validation_pixels"] = bins.Count;
        provenance["validation_rmse_log"] = Math.Round(overall, 5);
        provenance["residual_rmse_by_bin"] = rmse.Select(v => (object)(double)v).ToList();
        provenance["residual_bins"] = "σ of ln(λ + 1) by distance to the nearest measured pixel ≤ 1.5, 3, 6, 12, more px, in 4 groups of 5: no measured Friedel mate and central Friedel asymmetry excess ≤ 2, mate measured and ≤ 2, no mate and > 2, mate and > 2";
        provenance["coverage_target"] = CoverageTarget;
        provenance["sigma_factor"] = Math.Round(factor, 5);
        provenance["coverage_before_calibration"] = Math.Round(before, 5);
        provenance["coverage_after_calibration"] = Math.Round(after, 5);
        progress?.Report((1, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"trained in {clock.Elapsed.TotalSeconds:F1} s; validation RMSE {overall:F3} in ln(λ + 1) over {bins.Count} pixels of {seeds.Length} unseen patterns; ±2σ coverage of the true intensity {100 * before:F1} % → σ × {factor:F3} → {100 * after:F1} %")));
        return new ModelFile(Kind, model, data.Schema, provenance);
    }

    /// <summary>Predicts the <paramref name="fill"/>-flagged pixels of a pattern with their ranges and confidences.</summary>
    public static Inpainted Apply(MLContext ml, ModelFile model, float[] counts, uint[] mask, int ny, int nx, uint fill)
    {
        if (model.Provenance.TryGetValue("feature_contract", out var contract) && !string.Equals(contract?.ToString(), InpaintFeatures.Contract, StringComparison.Ordinal))
        {
            throw new Cxdi.Sdk.Errors.InvalidInputException("model", $"the inpainting model was trained on feature contract '{contract}', this plugin computes '{InpaintFeatures.Contract}'", "retrain it with cxdi train --kind inpaint (or train on the fly)");
        }

        var targets = InpaintFeatures.Targets(mask, fill);
        var (features, distance) = InpaintFeatures.Compute(counts, mask, ny, nx, targets);
        var scores = ToAnscombe(features, Trees.Score(ml, model.Model, features, probability: false));
        var table = model.Provenance.TryGetValue("residual_rmse_by_bin", out var t) && t is List<object> list
            ? list.Select(v => Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : [];
        var factor = model.Provenance.TryGetValue("sigma_factor", out var f) ? Convert.ToSingle(f, System.Globalization.CultureInfo.InvariantCulture) : 1f;
        var result = new Inpainted(targets, new float[targets.Length], new float[targets.Length], new float[targets.Length], new float[targets.Length]);
        for (var j = 0; j < targets.Length; j++)
        {
            var lambda = PatchFeatures.Inverse(MathF.Max(0, scores[j]));
            var b = Bin(distance[j], features.Features.AsSpan(j * InpaintFeatures.Width, InpaintFeatures.Width));
            var sigma = factor * (b < table.Length ? table[b] : 0.5f);
            result.Predicted[j] = lambda;
            (result.Lower[j], result.Upper[j]) = Range(lambda, sigma);
            result.Confidence[j] = 1f / (1f + MathF.Sinh(2 * sigma));
        }

        return result;
    }

    /// <summary>The ±2σ range in counts of a predicted intensity <paramref name="lambda"/>, σ on the scale ln(λ + 1).</summary>
    public static (float Lower, float Upper) Range(float lambda, float sigma)
    {
        var l = MathF.Log(lambda + 1);
        return (MathF.Max(0, MathF.Exp(l - (2 * sigma)) - 1), MathF.Exp(MathF.Min(l + (2 * sigma), 80)) - 1);
    }

    /// <summary>The fraction of pixels whose true intensity lies in the ±2σ range with σ = factor × the bin's RMSE.</summary>
    public static double Coverage(float[] rmse, float factor, IReadOnlyList<int> bins, IReadOnlyList<float> predicted, IReadOnlyList<float> truths)
    {
        var inside = 0;
        for (var j = 0; j < bins.Count; j++)
        {
            var (lo, hi) = Range(predicted[j], factor * rmse[bins[j]]);
            if (lo <= truths[j] && truths[j] <= hi)
            {
                inside++;
            }
        }

        return bins.Count == 0 ? 1 : inside / (double)bins.Count;
    }

    /// <summary>
    /// The σ factor whose ±2σ ranges hold the true intensity of at least <see cref="CoverageTarget"/> of the pixels: the
    /// <see cref="CoverageTarget"/> quantile of |ln(λ̂ + 1) − ln(λ + 1)| / (2σ), raised by 0.1 % steps until the coverage, counted
    /// exactly as <see cref="Apply"/> forms the ranges, reaches the target. The factor may be below 1 when the RMSE ranges
    /// over-cover. Returns the factor and the coverage before (factor 1) and after.
    /// </summary>
    private static (float Factor, double Before, double After) Calibrate(float[] rmse, List<int> bins, List<float> predicted, List<float> truths)
    {
        var before = Coverage(rmse, 1, bins, predicted, truths);
        var needed = new double[bins.Count];
        for (var j = 0; j < bins.Count; j++)
        {
            var sigma = Math.Max(rmse[bins[j]], 1e-6);
            needed[j] = Math.Abs(Math.Log(predicted[j] + 1.0) - Math.Log(truths[j] + 1.0)) / (2 * sigma);
        }

        Array.Sort(needed);
        var factor = needed.Length == 0 ? 1f : (float)Math.Max(needed[Math.Max(0, (int)Math.Ceiling(CoverageTarget * needed.Length) - 1)], 0.05);
        var after = Coverage(rmse, factor, bins, predicted, truths);
        for (var step = 0; step < 1000 && after < CoverageTarget; step++)
        {
            factor *= 1.001f;
            after = Coverage(rmse, factor, bins, predicted, truths);
        }

        return (factor, before, after);
    }

    /// <summary>Model outputs (log ratios to the reference) as Anscombe values 2√(λ + 3/8).</summary>
    private static float[] ToAnscombe(FeatureTable features, float[] scores)
    {
        var a = new float[scores.Length];
        for (var j = 0; j < a.Length; j++)
        {
            var reference = InpaintFeatures.Reference(features.Features.AsSpan(j * InpaintFeatures.Width, InpaintFeatures.Width));
            var lambda = MathF.Max(0, (MathF.Exp(MathF.Min(scores[j], 40) + MathF.Log(reference + 1)) - 1));
            a[j] = 2 * MathF.Sqrt(lambda + 0.375f);
        }

        return a;
    }

    /// <summary>Bins of the residual table: distance × Friedel mate measured × asymmetric.</summary>
    private static int BinCount => 4 * DistanceBins.Length;

    private static int Bin(float distance, ReadOnlySpan<float> row)
    {
        var b = 0;
        while (b < DistanceBins.Length - 1 && (distance < 0 || distance > DistanceBins[b]))
        {
            b++;
        }

        var friedel = row[1] > 0.5f;
        var asymmetric = row[InpaintFeatures.Asymmetry] > AsymmetryThreshold;
        return ((asymmetric ? 2 : 0) + (friedel ? 1 : 0)) * DistanceBins.Length + b;
    }

    /// <summary>0: as is; 1: left-right; 2: up-down (about the centre pixel, so the centre and the mask stay put).</summary>
    private static float[] Flip(float[] a, int ny, int nx, int flip)
    {
        if (flip == 0)
        {
            return a;
        }

        var b = new float[a.Length];
        var cy = ny / 2;
        var cx = nx / 2;
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                var sy = flip == 2 ? (2 * cy) - y : y;
                var sx = flip == 1 ? (2 * cx) - x : x;
                b[(y * nx) + x] = sy >= 0 && sy < ny && sx >= 0 && sx < nx ? a[(sy * nx) + sx] : 0;
            }
        }

        return b;
    }
}
