using System.Diagnostics;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Support;

/// <summary>Trains and applies the support classifier (FastTree binary on autocorrelation features, labels = true support).</summary>
internal static class SupportTraining
{
    /// <summary>The model kind written in provenance.</summary>
    public const string Kind = "support";

    /// <summary>Trains on simulated patterns and records the IoU against the truth on one unseen pattern.</summary>
    public static ModelFile Train(MLContext ml, TrainingPlan plan, IProgress<(double Fraction, string Message)>? progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var spec = plan.Simulation;
        var perPattern = Math.Max(1, plan.Samples / plan.Patterns);
        var table = new FeatureTable(SupportFeatures.Width, perPattern * plan.Patterns);
        for (var k = 0; k < plan.Patterns; k++)
        {
            cancel.ThrowIfCancellationRequested();
            var pattern = PatternSimulator.Simulate(spec, plan.PatternSeed(k));
            var (features, pixels) = SupportFeatures.Compute(pattern.Counts, pattern.Mask, spec.Ny, spec.Nx);
            var random = new Random(plan.PatternSeed(k) + 11);
            var take = Math.Min(perPattern, pixels.Length);
            for (var s = 0; s < take; s++)
            {
                var j = take == pixels.Length ? s : random.Next(pixels.Length);
                var row = table.Add(pattern.Support[pixels[j]]);
                features.Features.AsSpan(j * SupportFeatures.Width, SupportFeatures.Width).CopyTo(row);
            }

            progress?.Report((0.5 * (k + 1) / plan.Patterns, $"simulated training pattern {k + 1}/{plan.Patterns} (seed {plan.PatternSeed(k)})"));
        }

        progress?.Report((0.55, $"training FastTree classifier ({plan.Trees} trees × {plan.Leaves} leaves) on {table.Count} pixels"));
        var data = Trees.ToDataView(ml, table);
        var model = Trees.Binary(ml, data, plan.Trees, plan.Leaves, 10);
        var seconds = clock.Elapsed.TotalSeconds;
        var validation = PatternSimulator.Simulate(spec, plan.ValidationSeed);
        var proposed = Propose(ml, model, validation.Counts, validation.Mask, spec.Ny, spec.Nx, 0.5);
        var iou = IoU(proposed, validation.Support);
        var provenance = plan.Describe(SupportFeatures.Contract, seconds);
        provenance["validation_iou"] = Math.Round(iou, 4);
        progress?.Report((1, $"trained in {clock.Elapsed.TotalSeconds:F1} s; validation IoU {iou:F3}"));
        return new ModelFile(Kind, model, data.Schema, provenance);
    }

    /// <summary>The support (1 inside, centred at (ny/2, nx/2)) where the class probability exceeds <paramref name="threshold"/>.</summary>
    public static byte[] Propose(MLContext ml, ITransformer model, float[] intensity, uint[] mask, int ny, int nx, double threshold)
    {
        var (table, pixels) = SupportFeatures.Compute(intensity, mask, ny, nx);
        var probability = Trees.Score(ml, model, table, probability: true);
        var support = new byte[ny * nx];
        for (var j = 0; j < pixels.Length; j++)
        {
            support[pixels[j]] = probability[j] > threshold ? (byte)1 : (byte)0;
        }

        return support;
    }

    /// <summary>Intersection over union of two 0/1 masks.</summary>
    public static double IoU(byte[] a, byte[] b)
    {
        long inter = 0, union = 0;
        for (var i = 0; i < a.Length; i++)
        {
            inter += a[i] & b[i];
            union += a[i] | b[i];
        }

        return union == 0 ? 0 : inter / (double)union;
    }

    /// <summary>Grows a 0/1 support by <paramref name="radius"/> px (disc structuring element).</summary>
    public static byte[] Dilate(byte[] support, int ny, int nx, double radius)
    {
        if (radius <= 0)
        {
            return support;
        }

        var r = (int)Math.Ceiling(radius);
        var grown = new byte[support.Length];
        for (var y = 0; y < ny; y++)
        {
            for (var x = 0; x < nx; x++)
            {
                if (support[(y * nx) + x] == 0)
                {
                    continue;
                }

                for (var dy = -r; dy <= r; dy++)
                {
                    for (var dx = -r; dx <= r; dx++)
                    {
                        var yy = y + dy;
                        var xx = x + dx;
                        if ((dy * dy) + (dx * dx) <= radius * radius && yy >= 0 && yy < ny && xx >= 0 && xx < nx)
                        {
                            grown[(yy * nx) + xx] = 1;
                        }
                    }
                }
            }
        }

        return grown;
    }
}
