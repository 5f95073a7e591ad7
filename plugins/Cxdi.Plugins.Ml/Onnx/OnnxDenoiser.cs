using System.ComponentModel;
using System.Diagnostics;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.IO;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cxdi.Plugins.Ml.Onnx;

/// <summary>Options of <c>cxdi.denoise.onnx</c>.</summary>
public sealed record OnnxDenoiserOptions : PluginOptions
{
    /// <summary>The ONNX file.</summary>
    [Description("ONNX model following the denoiser contract: input float32 [N, 27] patch features (cxdi.denoise.tree's, see the plugin README), output float32 [N] or [N, 1], the Anscombe-scale correction to the centre pixel. `cxdi train --onnx FILE` writes one.")]
    [System.ComponentModel.DataAnnotations.Required]
    public string Model { get; init; } = "";

    /// <summary>Input tensor name.</summary>
    [Description("Name of the model's input tensor; empty = its only (or first) input.")]
    public string InputName { get; init; } = "";

    /// <summary>Output tensor name.</summary>
    [Description("Name of the model's output tensor; empty = the first output whose name starts with Score, else the first output.")]
    public string OutputName { get; init; } = "";

    /// <summary>Rows per call.</summary>
    [Description("Pixels scored per ONNX Runtime call; larger batches are faster and use more memory (27 floats per pixel).")]
    [System.ComponentModel.DataAnnotations.Range(1, 10_000_000)]
    public int Batch { get; init; } = 65536;
}

/// <summary>Denoises with any ONNX model that follows the patch-feature contract of <c>cxdi.denoise.tree</c>, scored by ONNX Runtime.</summary>
[CxdiPlugin("cxdi.denoise.onnx", "1.0.0", Description = "ML denoiser scoring an ONNX model (ONNX Runtime) on cxdi.denoise.tree's 5x5 Anscombe patch features; bring a network trained elsewhere.")]
public sealed class OnnxDenoiser : DenoiserBase<OnnxDenoiserOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Denoise(DiffractionData input, OnnxDenoiserOptions options, StepContext context)
    {
        if (input.Shape.Is3D)
        {
            throw new WorkflowShapeException($"cxdi.denoise.onnx handles 2D patterns; this one is {input.Shape}", "apply it to 2D data");
        }

        var clock = Stopwatch.StartNew();
        using var scorer = OnnxScorer.Open(options.Model, options.InputName, options.OutputName);
        var shape = input.Shape;
        var (table, pixels) = PatchFeatures.AllMeasured(input.Intensity, input.Mask, shape.Ny, shape.Nx);
        var scores = scorer.Score(table, options.Batch, context.Cancellation);
        var output = input.Clone();
        for (var j = 0; j < pixels.Length; j++)
        {
            var value = PatchFeatures.Inverse(table.Features[(j * PatchFeatures.Width) + 24] + scores[j]);
            output.Intensity[pixels[j]] = float.IsFinite(value) ? value : input.Intensity[pixels[j]];
        }

        output.Findings["cxdi.denoise.onnx"] = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["model"] = options.Model,
            ["pixels"] = pixels.Length,
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
        };
        return output;
    }
}

/// <summary>An ONNX Runtime session that scores feature tables; a missing or unreadable file is one <see cref="InvalidInputException"/>.</summary>
internal sealed class OnnxScorer : IDisposable
{
    private readonly InferenceSession session;
    private readonly string input;
    private readonly string output;
    private readonly int width;

    private OnnxScorer(InferenceSession session, string input, string output, int width)
    {
        this.session = session;
        this.input = input;
        this.output = output;
        this.width = width;
    }

    /// <summary>Opens <paramref name="path"/> and checks its input takes [N, 27] float32 rows.</summary>
    public static OnnxScorer Open(string path, string inputName, string outputName)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputException(path, "ONNX model not found", "write one with `cxdi train --kind denoiser --model M.zip --onnx M.onnx`");
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(path, new SessionOptions { IntraOpNumThreads = Math.Max(1, Environment.ProcessorCount), LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR });
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidInputException(path, "not a readable ONNX model: " + FirstLine(e.Message), "check the file (cxdi train --onnx writes one)", e);
        }

        try
        {
            var inputs = session.InputMetadata;
            var inName = inputName.Length > 0 ? inputName : inputs.Keys.FirstOrDefault(k => k == "Features") ?? inputs.Keys.First();
            if (!inputs.TryGetValue(inName, out var meta))
            {
                throw new InvalidInputException(path, $"has no input named '{inName}' (inputs: {string.Join(", ", inputs.Keys)})", "set input_name");
            }

            var dims = meta.Dimensions;
            if (meta.ElementType != typeof(float) || dims.Length != 2 || (dims[1] > 0 && dims[1] != PatchFeatures.Width))
            {
                throw new InvalidInputException(path, $"input '{inName}' is {meta.ElementType.Name}[{string.Join(", ", dims)}], the contract is float32 [N, {PatchFeatures.Width}]", "export the model with the patch-feature contract of cxdi.denoise.tree");
            }

            var outputs = session.OutputMetadata.Keys.ToList();
            var outName = outputName.Length > 0 ? outputName : outputs.FirstOrDefault(k => k.StartsWith("Score", StringComparison.Ordinal)) ?? outputs[0];
            if (!outputs.Contains(outName))
            {
                throw new InvalidInputException(path, $"has no output named '{outName}' (outputs: {string.Join(", ", outputs)})", "set output_name");
            }

            return new OnnxScorer(session, inName, outName, PatchFeatures.Width);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Scores every row of <paramref name="table"/> in batches.</summary>
    public float[] Score(FeatureTable table, int batch, CancellationToken cancel)
    {
        var result = new float[table.Count];
        for (var start = 0; start < table.Count; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            var rows = Math.Min(batch, table.Count - start);
            var tensor = new DenseTensor<float>(table.Features.AsMemory(start * width, rows * width), [rows, width]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)], [output]);
            var values = results.First().AsEnumerable<float>().ToArray();
            if (values.Length != rows)
            {
                throw new InvalidInputException(output, $"ONNX output has {values.Length} values for {rows} rows; the contract is one value per row", "check output_name");
            }

            values.CopyTo(result, start);
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();

    private static string FirstLine(string text)
    {
        var cut = text.IndexOfAny(['\r', '\n']);
        return cut < 0 ? text : text[..cut];
    }
}

/// <summary>ONNX export of trained ML.NET models.</summary>
internal static class OnnxExport
{
    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="path"/> (atomically); the input is the model's feature table.</summary>
    public static void Write(MLContext ml, ModelFile model, string path)
    {
        var width = model.Kind switch
        {
            DenoiserTraining.Kind => PatchFeatures.Width,
            Inpainting.InpaintTraining.Kind => Inpainting.InpaintFeatures.Width,
            _ => Support.SupportFeatures.Width,
        };
        var view = Trees.FeaturesOnly(ml, width);
        using var buffer = new MemoryStream();
        ml.Model.ConvertToOnnx(model.Model, view, buffer);
        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }
}
