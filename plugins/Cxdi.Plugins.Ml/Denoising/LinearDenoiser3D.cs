using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Ml.Denoising;

/// <summary>Options of <c>cxdi.denoise.linear3d</c>.</summary>
public sealed record LinearDenoiser3DOptions : PluginOptions
{
    /// <summary>Model file.</summary>
    [Description("3D filter zip written by `cxdi train --kind denoiser --dims 3` (or by save_model); empty = train one on the fly on simulated volumes matched to the data.")]
    public string Model { get; init; } = "";

    /// <summary>Where to keep a filter trained on the fly.</summary>
    [Description("When training on the fly, also write the filter zip here (with its provenance); empty = keep it in memory only.")]
    public string SaveModel { get; init; } = "";

    /// <summary>Photon level of the training simulations.</summary>
    [Description("Photons summed over the measured voxels of each training volume; 0 = the sum of the data's measured counts.")]
    [Unit("photons")]
    [Range(0.0, 1e18)]
    public double Photons { get; init; }

    /// <summary>Object size of the training simulations.</summary>
    [Description("Object diameter of the training objects in object-space voxels (the oversampling is the largest axis over it); 0 = estimated from the data's 3D autocorrelation.")]
    [Unit("px")]
    [Range(0.0, 1e5)]
    public double ObjectSize { get; init; }

    /// <summary>Training volumes.</summary>
    [Description("Simulated training volumes of the data's shape (each costs a 3D FFT of the next power-of-two cube and a pass over its voxels: about 8 s at 256³ on 2 cores).")]
    [Range(1, 100)]
    public int Patterns { get; init; } = 3;

    /// <summary>Training voxels.</summary>
    [Description("Training voxels drawn from all volumes, spread evenly over the level bins; the least-squares cost grows linearly with it.")]
    [Range(1000, 100_000_000)]
    public int Samples { get; init; } = 300_000;

    /// <summary>Stencil half-width.</summary>
    [Description("Half-width R of the filter's (2R+1)³ stencil: 1 (13 weights per level bin, fastest) or 2 (62, better at oversampling ≥ 3); 3 (171) is slow.")]
    [Unit("px")]
    [Range(1, 3)]
    public int Radius { get; init; } = 2;

    /// <summary>Seed.</summary>
    [Description("Seed of the training simulations (volume k uses seed·1000 + k; validation seed·1000 + 999).")]
    [Range(0, 1_000_000)]
    public int Seed { get; init; } = 1;

    /// <summary>The simulation matched to <paramref name="data"/> (photons and object size measured unless given, the data's mask and shape).</summary>
    internal VolumeSpec Match(DiffractionData data) => Match(data, Photons, ObjectSize);

    /// <summary>The training plan for <paramref name="data"/>.</summary>
    internal Linear3DPlan Plan(DiffractionData data) => new(Match(data), Patterns, Samples, Radius, Seed);

    /// <summary>The simulated volumes that match a 3D measurement: its shape and mask, its photons and object size unless given.</summary>
    internal static VolumeSpec Match(DiffractionData data, double photons, double objectSize)
    {
        var s = data.Shape;
        if (!s.Is3D)
        {
            throw new WorkflowShapeException($"the linear 3D denoiser handles 3D volumes; this one is {s}", "use cxdi.denoise.tree for 2D patterns (or --dims 2 with cxdi train)");
        }

        if (photons <= 0)
        {
            for (long i = 0; i < data.Intensity.LongLength; i++)
            {
                if (data.IsMeasured(i) && data.Intensity[i] > 0)
                {
                    photons += data.Intensity[i];
                }
            }
        }

        if (photons <= 0)
        {
            throw new InvalidInputException("input", "the data have no photons at measured voxels", "check the mask and the input");
        }

        if (objectSize <= 0)
        {
            objectSize = VolumeAutocorrelation.EstimateObjectSize(data.Intensity, data.Mask, s.Nz, s.Ny, s.Nx);
        }

        return new VolumeSpec(s.Nz, s.Ny, s.Nx, objectSize, photons, (uint[])data.Mask.Clone());
    }
}

/// <summary>
/// The cheap 3D denoiser: a linear filter on the Anscombe scale over each measured voxel's (2R+1)³ neighbourhood, with one
/// least-squares weight set per local photon level, learned from simulated volumes matched to the data (or loaded from a
/// model zip). Unknown voxels keep their values and their flags.
/// </summary>
[CxdiPlugin("cxdi.denoise.linear3d", "1.0.0", Description = "ML denoiser for 3D volumes: a linear Anscombe-domain filter per photon level, least-squares fitted on simulated volumes matched to the data (or a model file); minutes at 256^3.")]
public sealed class LinearDenoiser3D : DenoiserBase<LinearDenoiser3DOptions>
{
    /// <summary>The step id, used in findings.</summary>
    public const string Id = "cxdi.denoise.linear3d";

    /// <inheritdoc />
    protected override DiffractionData Denoise(DiffractionData input, LinearDenoiser3DOptions options, StepContext context)
    {
        var shape = input.Shape;
        if (!shape.Is3D)
        {
            throw new WorkflowShapeException($"{Id} handles 3D volumes; this one is {shape}", "use cxdi.denoise.tree for 2D patterns");
        }

        var clock = Stopwatch.StartNew();
        Linear3DModel model;
        if (options.Model.Length > 0)
        {
            model = Linear3DModel.Load(options.Model);
        }
        else
        {
            var plan = options.Plan(input);
            context.Progress.Report(new ProgressReport(context.StepId, string.Create(CultureInfo.InvariantCulture, $"training the 3D filter on {plan.Patterns} simulated {shape} volumes ({plan.Simulation.Photons:G3} photons, object {plan.Simulation.ObjectSize:F1} px)")) { Fraction = 0 });
            model = Linear3DTraining.Train(plan, new StepProgress(context), context.Cancellation);
            if (options.SaveModel.Length > 0)
            {
                model.Save(options.SaveModel);
            }
        }

        var trained = clock.Elapsed.TotalSeconds;
        var denoised = model.Filter.Apply(input.Intensity, input.Mask, shape.Nz, shape.Ny, shape.Nx, context.Cancellation);
        var output = input.Clone();
        Array.Copy(denoised, output.Intensity, denoised.Length);
        var predicted = clock.Elapsed.TotalSeconds - trained;
        output.Findings[Id] = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["model"] = options.Model.Length > 0 ? options.Model : "trained on the fly",
            ["radius"] = model.Filter.Radius,
            ["validation_rmse_reduction"] = model.Provenance.TryGetValue("validation_rmse_reduction", out var r) ? r : "n/a",
            ["training_seconds"] = Math.Round(trained, 2),
            ["prediction_seconds"] = Math.Round(predicted, 2),
        };
        context.Progress.Report(new ProgressReport(context.StepId, $"denoised {shape} in {predicted:F1} s") { Fraction = 1 });
        return output;
    }

    /// <summary>Forwards training progress to the step's progress sink synchronously.</summary>
    private sealed class StepProgress(StepContext context) : IProgress<(double Fraction, string Message)>
    {
        public void Report((double Fraction, string Message) value) =>
            context.Progress.Report(new ProgressReport(context.StepId, value.Message) { Fraction = value.Fraction });
    }
}

/// <summary>The object size of a 3D pattern from its autocorrelation |IFT(I)| (unknown voxels counted as 0).</summary>
internal static class VolumeAutocorrelation
{
    /// <summary>
    /// The object diameter in voxels of the largest axis (the convention of <see cref="VolumeSpec.ObjectSize"/>): with V the
    /// voxels where |IFT(I)| exceeds <paramref name="threshold"/> of its maximum, each axis rescaled to the largest one,
    /// d ≈ 2·∛(3V / 4π). The factor 2 is calibrated on this plugin's simulated volumes, whose autocorrelation at 10 % of its
    /// maximum reaches about half the nominal diameter (0.41–0.62 of it over objects of 1–4 ellipsoids, with or without a
    /// beamstop of a speckle), so a volume simulated with the estimate has the data's speckle size.
    /// </summary>
    public static double EstimateObjectSize(float[] intensity, uint[] mask, int nz, int ny, int nx, double threshold = 0.1)
    {
        var re = new double[intensity.Length];
        var im = new double[intensity.Length];
        for (var i = 0; i < re.Length; i++)
        {
            re[i] = (mask[i] & (uint)MaskFlags.Unknown) == 0 ? Math.Max(0, intensity[i]) : 0;
        }

        Fft3.Transform(re, im, nz, ny, nx, inverse: true);
        double max = 0;
        for (var i = 0; i < re.Length; i++)
        {
            re[i] = Math.Sqrt((re[i] * re[i]) + (im[i] * im[i]));
            max = Math.Max(max, re[i]);
        }

        long count = 0;
        foreach (var v in re)
        {
            if (v > threshold * max)
            {
                count++;
            }
        }

        double largest = Math.Max(nz, Math.Max(ny, nx));
        var volume = count * (largest / nz) * (largest / ny) * (largest / nx);
        return Math.Max(3, 2 * Math.Cbrt(3 * volume / (4 * Math.PI)));
    }
}
