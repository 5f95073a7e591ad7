using Cxdi.Plugins.Ml.Inpainting;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Microsoft.ML;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class InpaintTests(ITestOutputHelper output)
{
    [Fact]
    public void Inpaint_BeamstopOfTwoSpeckles_PredictsBetterThanRadialProfileAndKeepsFlags()
    {
        const int n = 128;
        var mask = TestMasks.BeamstopAndGap(n, n, 4);
        var spec = new SimulationSpec(n, n, 32, 1e6, mask);
        var plan = new TrainingPlan(spec, 8, 30_000, 60, 31, 9);
        var ml = new MLContext(9);
        var model = InpaintTraining.Train(ml, plan, null, CancellationToken.None);
        var fill = InpaintFeatures.DefaultFill;
        foreach (var seed in new[] { 999_001, 999_002, 999_003 })
        {
            var p = PatternSimulator.Simulate(spec, seed);
            var result = InpaintTraining.Apply(ml, model, p.Counts, mask, n, n, fill);
            var (features, _) = InpaintFeatures.Compute(p.Counts, mask, n, n, result.Pixels);
            double ml2 = 0, ring2 = 0;
            for (var j = 0; j < result.Pixels.Length; j++)
            {
                var truth = Math.Sqrt(p.Expected[result.Pixels[j]]);
                var ring = Math.Max(0, (features.Features[(j * InpaintFeatures.Width) + 2] / 2) * (features.Features[(j * InpaintFeatures.Width) + 2] / 2) - 0.375);
                ml2 += Math.Pow(Math.Sqrt(result.Predicted[j]) - truth, 2);
                ring2 += Math.Pow(Math.Sqrt(ring) - truth, 2);
                Assert.InRange(result.Confidence[j], 0f, 1f);
                Assert.True(result.Lower[j] <= result.Predicted[j] && result.Predicted[j] <= result.Upper[j]);
            }

            var rmse = Math.Sqrt(ml2 / result.Pixels.Length);
            var rmseRing = Math.Sqrt(ring2 / result.Pixels.Length);
            output.WriteLine($"seed {seed}: {result.Pixels.Length} pixels, amplitude RMSE ML {rmse:F3}, radial profile {rmseRing:F3}, mean confidence {result.Confidence.Average():F3}");
            Assert.True(rmse < 0.5 * rmseRing, $"inpainting RMSE {rmse:F3} not half the radial profile's {rmseRing:F3}");
        }
    }

    /// <summary>
    /// The calibrated ±2σ ranges hold the true (noise-free) intensity of at least 90 % of the filled pixels on unseen real
    /// and complex-valued objects of both families (128², 1e6 photons, a beamstop of two speckles and a 3 px gap, 6
    /// training patterns), and the calibration is in the provenance.
    /// </summary>
    [Fact]
    public void Inpaint_CalibratedRanges_CoverTheTruthOnUnseenRealAndComplexObjects()
    {
        const int n = 128;
        var mask = TestMasks.BeamstopAndGap(n, n, 4);
        var spec = new SimulationSpec(n, n, 32, 1e6, mask);
        var plan = new TrainingPlan(spec, 6, 30_000, 60, 31, 9);
        var ml = new MLContext(9);
        var model = InpaintTraining.Train(ml, plan, null, CancellationToken.None);
        var factor = Convert.ToDouble(model.Provenance["sigma_factor"], System.Globalization.CultureInfo.InvariantCulture);
        var before = Convert.ToDouble(model.Provenance["coverage_before_calibration"], System.Globalization.CultureInfo.InvariantCulture);
        var after = Convert.ToDouble(model.Provenance["coverage_after_calibration"], System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"validation coverage {before:F4} -> sigma x {factor:F3} -> {after:F4}");
        Assert.True(after >= InpaintTraining.CoverageTarget, $"calibrated validation coverage {after:F4}");
        Assert.Equal(InpaintTraining.ValidationPatterns, ((List<object>)model.Provenance["validation_seeds"]).Count);
        Assert.Equal(3, ((List<object>)model.Provenance["complex_training_seeds"]).Count);

        int inside = 0, total = 0;
        var unseen = new[]
        {
            (999_011, 0.0, ObjectStyle.Ellipses), (999_012, 1.0, ObjectStyle.Ellipses), (999_013, 0.0, ObjectStyle.TexturedBlobs),
            (999_014, 1.0, ObjectStyle.TexturedBlobs), (999_015, 1.3, ObjectStyle.Ellipses), (999_016, 0.7, ObjectStyle.TexturedBlobs),
        };
        foreach (var (seed, phase, style) in unseen)
        {
            var p = PatternSimulator.Simulate(spec, seed, phase, style);
            var result = InpaintTraining.Apply(ml, model, p.Counts, mask, n, n, InpaintFeatures.DefaultFill);
            var hits = 0;
            for (var j = 0; j < result.Pixels.Length; j++)
            {
                var truth = p.Expected[result.Pixels[j]];
                hits += result.Lower[j] <= truth && truth <= result.Upper[j] ? 1 : 0;
            }

            output.WriteLine($"seed {seed} ({style}, phase ±{phase:F1} rad): coverage {hits / (double)result.Pixels.Length:F4} of {result.Pixels.Length} pixels");
            inside += hits;
            total += result.Pixels.Length;
        }

        var coverage = inside / (double)total;
        output.WriteLine($"unseen coverage {coverage:F4} over {total} pixels");
        Assert.True(coverage >= 0.9, $"calibrated ±2σ coverage {coverage:F4} on unseen objects");
    }

    [Fact]
    public void InpaintStep_KeepsMaskAndMeasuredPixels_WritesBoundsFile()
    {
        const int n = 64;
        var mask = TestMasks.BeamstopAndGap(n, n, 3);
        var p = PatternSimulator.Simulate(new SimulationSpec(n, n, 16, 1e6, mask), 4242);
        var data = new DiffractionData(Shape.Of(n, n), (float[])p.Counts.Clone(), (uint[])mask.Clone());
        var bounds = Path.Combine(Path.GetTempPath(), $"cxdi-ml-bounds-{Guid.NewGuid():N}.npy");
        try
        {
            var options = new InpaintOptions { Patterns = 2, Samples = 2000, Trees = 10, Leaves = 8, BoundsFile = bounds };
            var result = new Inpainter().Denoise(data, options, StepContext.None);
            Assert.Equal(mask, result.Mask);
            var filled = 0;
            for (var i = 0; i < mask.Length; i++)
            {
                if (mask[i] == 0)
                {
                    Assert.Equal(p.Counts[i], result.Intensity[i]);
                }
                else if (result.Intensity[i] != p.Counts[i])
                {
                    filled++;
                }
            }

            Assert.True(filled > 0);
            Assert.Equal(128 + (4L * n * n * 4), new FileInfo(bounds).Length);

            // The ranges travel with the data for cxdi.phase (unknown_bounds: soft); the raw counts are the input's.
            Assert.NotNull(result.LowerBound);
            Assert.NotNull(result.UpperBound);
            Assert.Equal(p.Counts, result.RawIntensity);
            var bounded = 0;
            for (var i = 0; i < mask.Length; i++)
            {
                float lo = result.LowerBound![i], hi = result.UpperBound![i];
                if (mask[i] == 0)
                {
                    Assert.True(float.IsNaN(lo) && float.IsNaN(hi), $"measured pixel {i} has a range");
                }
                else if (!float.IsNaN(lo))
                {
                    bounded++;
                    Assert.InRange(result.Intensity[i], lo, hi);
                    Assert.True(lo >= 0 && hi > lo, $"pixel {i}: range [{lo}, {hi}]");
                }
            }

            Assert.True(bounded >= filled, $"{bounded} bounded pixels, {filled} filled");
        }
        finally
        {
            File.Delete(bounds);
        }
    }
}
