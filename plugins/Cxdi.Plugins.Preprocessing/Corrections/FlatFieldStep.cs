using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Corrections;

/// <summary>Options of <see cref="FlatFieldStep"/>.</summary>
public sealed record FlatFieldOptions : PluginOptions
{
    /// <summary>Flat-field file.</summary>
    [Description("Flat-field (uniform illumination) image: .edf, .npy, .tif or file.h5:/path, frame shape of the data; a series is averaged. It is normalised to mean 1 over its valid pixels.")]
    [Required]
    public string Path { get; init; } = "";

    /// <summary>Reader id; default from the extension.</summary>
    [Description("Reader plugin id for path; default from the file extension.")]
    public string? Reader { get; init; }

    /// <summary>Relative response below which a pixel is flagged dead.</summary>
    [Description("Pixels whose normalised response is below this fraction of the mean are flagged dead instead of being divided by a tiny number.")]
    [Range(0.0, 1.0)]
    public double MinResponse { get; init; } = 0.1;
}

/// <summary>Divides every frame by a flat field normalised to mean 1; pixels with too weak a response are flagged dead.</summary>
[CxdiPlugin("cxdi.flat", "1.0.0", Description = "Divide by a normalised flat field; flag pixels with too weak a response.")]
public sealed class FlatFieldStep : PreprocessorBase<FlatFieldOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, FlatFieldOptions options, StepContext context)
    {
        var file = ArrayFiles.Read(context, options.Path, options.Reader, "path");
        var (flat, unknown) = FrameAverage.Of(input, file, options.Path, "the flat field");
        var dead = Divide(input, flat, unknown, options.MinResponse);
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"divided by the flat field {System.IO.Path.GetFileName(options.Path)}: {dead} pixels below {StepLog.F(options.MinResponse)} of the mean response flagged dead", new Dictionary<string, object> { ["dead_pixels"] = dead });
        return input;
    }

    /// <summary>Divides by <paramref name="flat"/> normalised to mean 1; returns the pixels (per frame) flagged dead.</summary>
    public static long Divide(DiffractionData data, float[] flat, uint[]? unknown, double minResponse)
    {
        double sum = 0;
        var n = 0;
        for (var p = 0; p < flat.Length; p++)
        {
            if ((unknown is null || unknown[p] == 0) && flat[p] > 0)
            {
                sum += flat[p];
                n++;
            }
        }

        var mean = n > 0 ? sum / n : 1;
        var (frames, frame) = Pixels.Frames(data.Shape);
        long dead = 0;
        for (var p = 0; p < frame; p++)
        {
            var response = flat[p] / mean;
            var bad = (unknown is not null && unknown[p] != 0) || !(response >= minResponse) || response <= 0;
            dead += bad ? 1 : 0;
            for (var z = 0; z < frames; z++)
            {
                var i = ((long)z * frame) + p;
                if (bad)
                {
                    data.Mask[i] |= (uint)MaskFlags.Dead;
                }
                else
                {
                    data.Intensity[i] = (float)(data.Intensity[i] / response);
                }
            }
        }

        return dead;
    }
}
