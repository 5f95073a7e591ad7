using System.ComponentModel;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Inpainting;

/// <summary>Options of <c>cxdi.inpaint</c>.</summary>
public sealed record InpaintOptions : TrainedModelOptions
{
    /// <summary>Also fill every other unknown pixel.</summary>
    [Description("Also predict pixels flagged invalid, saturated, hot, user-masked or ignored; by default only beamstop, gap, missing, empty and dead pixels are filled.")]
    public bool AllUnknown { get; init; }

    /// <summary>Side-channel file.</summary>
    [Description("Write a float32 .npy of shape (4, ny, nx) here: prediction, lower and upper end of the ±2σ range, confidence (measured pixels: their counts and confidence 1; NaN where nothing was predicted); empty = none.")]
    public string BoundsFile { get; init; } = "";

    /// <summary>Default training size.</summary>
    public InpaintOptions() => Samples = 60_000;
}

/// <summary>
/// Predicts the intensities of beamstop and gap pixels (and their ±2σ range and a confidence) with a FastTree regressor on
/// Friedel-mate, radial-profile and neighbourhood features, trained on simulations with the data's mask. The predictions are
/// written into the intensities of those pixels, which stay flagged as not measured, and the ranges into
/// <see cref="DiffractionData.LowerBound"/>/<see cref="DiffractionData.UpperBound"/>: <c>cxdi.phase</c> clamps |ψ|² into the
/// range there after each modulus projection (a soft constraint) and never counts the pixels in a log-likelihood.
/// </summary>
[CxdiPlugin("cxdi.inpaint", "1.0.0", Description = "ML inpainting: predicted intensities with a range and confidence for beamstop and gap pixels, which stay flagged as not measured.")]
public sealed class Inpainter : DenoiserBase<InpaintOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Denoise(DiffractionData input, InpaintOptions options, StepContext context)
    {
        var ml = new MLContext(options.Seed);
        var model = MlSteps.LoadOrTrain(ml, options, input, InpaintTraining.Kind, context, InpaintTraining.Train);
        var shape = input.Shape;
        var fill = options.AllUnknown ? (uint)MaskFlags.Unknown : InpaintFeatures.DefaultFill;
        var result = InpaintTraining.Apply(ml, model, input.Intensity, input.Mask, shape.Ny, shape.Nx, fill);
        var output = input.Clone();
        if (result.Pixels.Length > 0 && (output.LowerBound is null || output.UpperBound is null))
        {
            output.LowerBound = new float[shape.Length];
            output.UpperBound = new float[shape.Length];
            Array.Fill(output.LowerBound, float.NaN);
            Array.Fill(output.UpperBound, float.NaN);
        }

        for (var j = 0; j < result.Pixels.Length; j++)
        {
            var i = result.Pixels[j];
            output.Intensity[i] = result.Predicted[j];
            output.LowerBound![i] = result.Lower[j];
            output.UpperBound![i] = result.Upper[j];
        }

        if (options.BoundsFile.Length > 0)
        {
            var n = (int)shape.Length;
            var planes = new float[4 * n];
            for (var i = 0; i < n; i++)
            {
                var measured = input.IsMeasured(i);
                planes[i] = measured ? input.Intensity[i] : float.NaN;
                planes[n + i] = planes[i];
                planes[(2 * n) + i] = planes[i];
                planes[(3 * n) + i] = measured ? 1 : float.NaN;
            }

            for (var j = 0; j < result.Pixels.Length; j++)
            {
                var i = result.Pixels[j];
                planes[i] = result.Predicted[j];
                planes[n + i] = result.Lower[j];
                planes[(2 * n) + i] = result.Upper[j];
                planes[(3 * n) + i] = result.Confidence[j];
            }

            Npy.Write(options.BoundsFile, planes, 4, shape.Ny, shape.Nx);
        }

        output.Findings["cxdi.inpaint"] = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["model"] = options.Model.Length > 0 ? options.Model : "trained on the fly",
            ["filled_pixels"] = result.Pixels.Length,
            ["predicted_photons"] = Math.Round(result.Predicted.Sum(v => (double)v), 1),
            ["mean_confidence"] = result.Pixels.Length == 0 ? 0 : Math.Round(result.Confidence.Average(), 4),
            ["bounds_file"] = options.BoundsFile,
            ["note"] = "predictions sit in the intensities of pixels still flagged as not measured, their ±2σ ranges in the data's LowerBound/UpperBound; cxdi.phase keeps |ψ|² within the range there (unknown_bounds: soft) and never counts them in an LLK",
        };
        return output;
    }
}
