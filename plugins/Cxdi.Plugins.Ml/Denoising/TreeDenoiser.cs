using System.ComponentModel;
using System.Diagnostics;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.IO;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Denoising;

/// <summary>Options of <c>cxdi.denoise.tree</c>.</summary>
public sealed record TreeDenoiserOptions : TrainedModelOptions
{
    /// <summary>Where to keep the raw counts.</summary>
    [Description("Also write the raw (not denoised) counts as a float32 .npy file here, so later steps or a second workflow can phase them; empty = none.")]
    public string RawFile { get; init; } = "";
}

/// <summary>
/// Patch-regression denoiser: a FastTree model maps the Anscombe-transformed 5×5 neighbourhood of each measured pixel to its
/// noiseless value; unknown pixels keep their value and their flags.
/// </summary>
[CxdiPlugin("cxdi.denoise.tree", "1.0.0", Description = "ML denoiser: FastTree regression on 5x5 Anscombe patches, trained on simulations matched to the data (or a model file).")]
public sealed class TreeDenoiser : DenoiserBase<TreeDenoiserOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Denoise(DiffractionData input, TreeDenoiserOptions options, StepContext context)
    {
        if (input.Shape.Is3D)
        {
            // Checked before a model is loaded: the 5x5 patches of a 2D model would only see the first slice of a volume.
            throw new WorkflowShapeException($"cxdi.denoise.tree handles 2D patterns; this one is {input.Shape}", $"use {LinearDenoiser3D.Id} for 3D volumes (a learned linear 3D filter, minutes at 256³)");
        }

        var clock = Stopwatch.StartNew();
        var ml = new MLContext(options.Seed);
        var model = MlSteps.LoadOrTrain(ml, options, input, DenoiserTraining.Kind, context, DenoiserTraining.Train);
        var trained = clock.Elapsed.TotalSeconds;
        var shape = input.Shape;
        if (options.RawFile.Length > 0)
        {
            Npy.Write(options.RawFile, input.Intensity, shape.Ny, shape.Nx);
        }

        var denoised = DenoiserTraining.Apply(ml, model.Model, input.Intensity, input.Mask, shape.Ny, shape.Nx);
        var output = input.Clone();
        Array.Copy(denoised, output.Intensity, denoised.Length);
        output.Findings["cxdi.denoise.tree"] = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["model"] = options.Model.Length > 0 ? options.Model : "trained on the fly",
            ["validation_rmse_reduction"] = model.Provenance.TryGetValue("validation_rmse_reduction", out var r) ? r : "n/a",
            ["training_seconds"] = Math.Round(trained, 2),
            ["prediction_seconds"] = Math.Round(clock.Elapsed.TotalSeconds - trained, 2),
            ["raw_file"] = options.RawFile,
        };
        context.Progress.Report(new ProgressReport(context.StepId, $"denoised {shape} in {clock.Elapsed.TotalSeconds - trained:F1} s") { Fraction = 1 });
        return output;
    }
}

/// <summary>Writes float32 arrays as numpy .npy files (version 1.0, little-endian, C order), atomically.</summary>
internal static class Npy
{
    /// <summary>Writes <paramref name="values"/> with shape <paramref name="dims"/>.</summary>
    public static void Write(string path, float[] values, params int[] dims)
    {
        var shape = string.Join(", ", dims) + (dims.Length == 1 ? "," : "");
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({shape}), }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (total % 64)) % 64)) + "\n";
        var bytes = new byte[10 + header.Length + (values.Length * 4)];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        BitConverter.TryWriteBytes(bytes.AsSpan(8), (ushort)header.Length);
        System.Text.Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes.AsSpan(10 + header.Length));
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
