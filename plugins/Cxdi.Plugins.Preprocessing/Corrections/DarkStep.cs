using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Corrections;

/// <summary>Options of <see cref="DarkStep"/>.</summary>
public sealed record DarkOptions : PluginOptions
{
    /// <summary>Dark image file; a series is averaged.</summary>
    [Description("Dark (no beam) image: .edf, .npy, .tif or file.h5:/path, with the frame shape of the data; a series of darks is averaged frame by frame. Leave unset to subtract a constant value.")]
    public string? Path { get; init; }

    /// <summary>Reader id; default from the extension.</summary>
    [Description("Reader plugin id for path (esrf.edf, numpy.npy, cxi.hdf5, tiff); default from the file extension.")]
    public string? Reader { get; init; }

    /// <summary>Constant dark level, used when no file is given.</summary>
    [Description("Constant dark level subtracted from every pixel when no path is given (e.g. an integrating detector's offset).")]
    [Unit("photons")]
    public double Value { get; init; }

    /// <summary>Scale applied to the dark before subtraction.</summary>
    [Description("Factor applied to the dark before subtraction, e.g. the ratio of exposure times data/dark.")]
    public double Scale { get; init; } = 1;
}

/// <summary>Subtracts a dark image (or constant) from every frame; pixels unknown in the dark become invalid. Negative results are kept (see cxdi.sanitize).</summary>
[CxdiPlugin("cxdi.dark", "1.0.0", Description = "Subtract a dark image or constant from every frame.")]
public sealed class DarkStep : PreprocessorBase<DarkOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, DarkOptions options, StepContext context)
    {
        var (frames, frame) = Pixels.Frames(input.Shape);
        float[] dark;
        uint[]? darkMask = null;
        if (options.Path is { } path)
        {
            var file = ArrayFiles.Read(context, path, options.Reader, "path");
            (dark, darkMask) = FrameAverage.Of(input, file, path, "the dark");
        }
        else
        {
            dark = new float[frame];
            Array.Fill(dark, (float)options.Value);
        }

        var scale = (float)options.Scale;
        long negative = 0, invalid = 0;
        for (var z = 0; z < frames; z++)
        {
            var off = (long)z * frame;
            for (var p = 0; p < frame; p++)
            {
                var i = off + p;
                input.Intensity[i] -= scale * dark[p];
                if (input.Intensity[i] < 0)
                {
                    negative++;
                }

                if (darkMask is not null && darkMask[p] != 0)
                {
                    input.Mask[i] |= (uint)MaskFlags.Invalid;
                    invalid++;
                }
            }
        }

        var source = options.Path is null ? $"a constant {StepLog.F(options.Value)}" : System.IO.Path.GetFileName(options.Path);
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"subtracted {source} ×{StepLog.F(options.Scale)}: {negative} pixels now negative, {invalid} flagged invalid where the dark is unknown", new Dictionary<string, object>
        {
            ["negative_pixels"] = negative,
            ["invalid_pixels"] = invalid,
        });
        return input;
    }
}

/// <summary>Reduces an auxiliary array (dark, flat) to one frame matching the data.</summary>
internal static class FrameAverage
{
    /// <summary>The per-pixel mean over the frames of <paramref name="aux"/> (its known values), and a mask of pixels unknown in every frame (null when none).</summary>
    public static (float[] Frame, uint[]? Unknown) Of(DiffractionData data, DiffractionData aux, string path, string what)
    {
        if (aux.Shape.Ny != data.Shape.Ny || aux.Shape.Nx != data.Shape.Nx)
        {
            ArrayFiles.CheckFrameShape(data, aux, path, what, allowFull: false);
        }

        var (frames, frame) = Pixels.Frames(aux.Shape);
        var sum = new double[frame];
        var count = new int[frame];
        for (var z = 0; z < frames; z++)
        {
            for (var p = 0; p < frame; p++)
            {
                var i = ((long)z * frame) + p;
                if (aux.IsMeasured(i) && float.IsFinite(aux.Intensity[i]))
                {
                    sum[p] += aux.Intensity[i];
                    count[p]++;
                }
            }
        }

        var result = new float[frame];
        uint[]? unknown = null;
        for (var p = 0; p < frame; p++)
        {
            if (count[p] > 0)
            {
                result[p] = (float)(sum[p] / count[p]);
            }
            else
            {
                unknown ??= new uint[frame];
                unknown[p] = 1;
            }
        }

        return (result, unknown);
    }
}
