using System.Diagnostics;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Inpainting;

/// <summary>An inpainting result: predicted intensities with a range and a confidence per filled pixel.</summary>
/// <param name="Pixels">Indices of the filled pixels.</param>
/// <param name="Predicted">Predicted expected counts.</param>
/// <param name="Lower">Lower end of the ±2σ range (counts).</param>
/// <param name="Upper">Upper end of the ±2σ range (counts).</param>
/// <param name="Confidence">1 / (1 + relative ±2σ intensity half-range), in (0, 1].</param>
internal sealed record Inpainted(int[] Pixels, float[] Predicted, float[] Lower, float[] Upper, float[] Confidence);

/// <summary>Trains and applies the inpainting regressor; its validation residuals, binned by distance to the nearest measured pixel and by whether the Friedel mate is measured, set the confidence.</summary>
internal static class InpaintTraining
{
    /// <summary>The model kind written in provenance.</summary>
    public const string Kind = "inpaint";

    /// <summary>Upper edges (px) of the distance bins of the residual table.</summary>
    private static readonly float[] DistanceBins = [1.5f, 3, 6, 12, float.MaxValue];

    /// <summary>Trains on the masked pixels of simulated patterns (each also flipped left-right and up-down, the mask kept).</summary>
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

        var perPattern = Math.Max(1, plan.Samples / plan.Patterns);
        var table = new FeatureTable(InpaintFeatures.Width, Math.Min(perPattern, targets.Length * 3) * plan.Patterns);
        for (var k = 0; k < plan.Patterns; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var pattern = PatternSimulator.Simulate(spec, plan.PatternSeed(k));
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

            progress?.Report((0.6 * (k + 1) / plan.Patterns, $"simulated training pattern {k + 1}/{plan.Patterns} (seed {plan.PatternSeed(k)})"));
        }

        progress?.Report((0.65, $"training FastTree ({plan.Trees} trees × {plan.Leaves} leaves) on {table.Count} masked pixels"));
        var data = Trees.ToDataView(ml, table);
        var model = Trees.Regression(ml, data, plan.Trees, plan.Leaves, 5);
        var seconds = clock.Elapsed.TotalSeconds;

        // Residuals on an unseen pattern set the confidence table.
        var validation = PatternSimulator.Simulate(spec, plan.ValidationSeed);
        var (vf, vd) = InpaintFeatures.Compute(validation.Counts, mask, spec.Ny, spec.Nx, targets);
        var scores = ToAnscombe(vf, Trees.Score(ml, model, vf, probability: false));
        var sq = new double[2 * DistanceBins.Length];
        var count = new int[2 * DistanceBins.Length];
        double total = 0;
        for (var j = 0; j < targets.Length; j++)
        {
            var truth = 2 * Math.Sqrt(validation.Expected[targets[j]] + 0.375);
            var e = scores[j] - truth;
            var b = Bin(vd[j], vf.Features[(j * InpaintFeatures.Width) + 1] > 0.5f);
            sq[b] += e * e;
            count[b]++;
            total += e * e;
        }

        var overall = Math.Sqrt(total / targets.Length);
        var rmse = Enumerable.Range(0, sq.Length).Select(b => count[b] >= 5 ? Math.Round(Math.Sqrt(sq[b] / count[b]), 5) : Math.Round(overall, 5)).ToList();
        var provenance = plan.Describe(InpaintFeatures.Contract, seconds);
        provenance["validation_rmse_anscombe"] = Math.Round(overall, 5);
        provenance["residual_rmse_by_bin"] = rmse.Cast<object>().ToList();
        provenance["residual_bins"] = "distance to the nearest measured pixel ≤ 1.5, 3, 6, 12, more px; first without, then with a measured Friedel mate";
        progress?.Report((1, $"trained in {clock.Elapsed.TotalSeconds:F1} s; validation RMSE {overall:F3} (Anscombe units) over {targets.Length} pixels"));
        return new ModelFile(Kind, model, data.Schema, provenance);
    }

    /// <summary>Predicts the <paramref name="fill"/>-flagged pixels of a pattern with their ranges and confidences.</summary>
    public static Inpainted Apply(MLContext ml, ModelFile model, float[] counts, uint[] mask, int ny, int nx, uint fill)
    {
        var targets = InpaintFeatures.Targets(mask, fill);
        var (features, distance) = InpaintFeatures.Compute(counts, mask, ny, nx, targets);
        var scores = ToAnscombe(features, Trees.Score(ml, model.Model, features, probability: false));
        var table = model.Provenance.TryGetValue("residual_rmse_by_bin", out var t) && t is List<object> list
            ? list.Select(v => Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : [];
        var result = new Inpainted(targets, new float[targets.Length], new float[targets.Length], new float[targets.Length], new float[targets.Length]);
        for (var j = 0; j < targets.Length; j++)
        {
            var a = MathF.Max(0, scores[j]);
            var b = Bin(distance[j], features.Features[(j * InpaintFeatures.Width) + 1] > 0.5f);
            var sigma = b < table.Length ? table[b] : 0.5f;
            result.Predicted[j] = PatchFeatures.Inverse(a);
            result.Lower[j] = PatchFeatures.Inverse(a - (2 * sigma));
            result.Upper[j] = PatchFeatures.Inverse(a + (2 * sigma));
            result.Confidence[j] = 1f / (1f + (2f * sigma / MathF.Max(a, 1f)));
        }

        return result;
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

    private static int Bin(float distance, bool friedel)
    {
        var b = 0;
        while (b < DistanceBins.Length - 1 && (distance < 0 || distance > DistanceBins[b]))
        {
            b++;
        }

        return (friedel ? DistanceBins.Length : 0) + b;
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
