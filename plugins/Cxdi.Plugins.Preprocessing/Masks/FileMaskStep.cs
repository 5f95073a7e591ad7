using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Options of <see cref="FileMaskStep"/>.</summary>
public sealed record FileMaskOptions : PluginOptions
{
    /// <summary>Mask file (EDF, NPY, HDF5 file.h5:/path, TIFF).</summary>
    [Description("Mask file: .edf, .npy, .tif or file.h5:/path/to/mask, with the frame shape of the data. Non-zero values mark masked pixels unless invert is set.")]
    [Required]
    public string Path { get; init; } = "";

    /// <summary>Reader id; default from the file extension.</summary>
    [Description("Reader plugin id (esrf.edf, numpy.npy, cxi.hdf5, tiff); default: chosen from the file extension.")]
    public string? Reader { get; init; }

    /// <summary>When true, zero marks a masked pixel (files where 1 = good).</summary>
    [Description("Set when the file marks good pixels with non-zero values (1 = good, 0 = masked), as some beamline tools do.")]
    public bool Invert { get; init; }

    /// <summary>Flag given to masked pixels.</summary>
    [Description("Mask flag set on the masked pixels: user (default), gap, dead, beamstop, …")]
    public MaskFlags Flag { get; init; } = MaskFlags.User;

    /// <summary>Keep the CXI bit flags of the file instead of a single flag.</summary>
    [Description("Copy the file's values as CXI bit flags (for masks written by this workbench or by CXI tools) instead of setting flag on non-zero pixels.")]
    public bool BitFlags { get; init; }

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (!Pixels.IsDetectorFlag(Flag))
        {
            yield return new OptionProblem(nameof(Flag), "must be a single detector flag such as user, gap or dead");
        }
    }
}

/// <summary>Merges a mask read from a file (through the host's reader plugins) into the data's mask.</summary>
[CxdiPlugin("cxdi.mask.file", "1.0.0", Description = "Merge a mask read from a file (EDF, NPY, HDF5, TIFF) into the data's mask.")]
public sealed class FileMaskStep : PreprocessorBase<FileMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, FileMaskOptions options, StepContext context)
    {
        var file = ArrayFiles.Read(context, options.Path, options.Reader, "path");
        ArrayFiles.CheckFrameShape(input, file, options.Path, "the mask");
        var added = Merge(input, file.Intensity, options);
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"merged the mask {System.IO.Path.GetFileName(options.Path)}: {added} more pixels unknown", new Dictionary<string, object>
        {
            ["path"] = options.Path,
            ["pixels_added"] = added,
        });
        return input;
    }

    /// <summary>Merges the mask <paramref name="values"/> (one frame, or the full shape) into <paramref name="data"/>; returns how many pixels became unknown.</summary>
    public static long Merge(DiffractionData data, float[] values, FileMaskOptions options)
    {
        var frame = data.Shape.Ny * data.Shape.Nx;
        long added = 0;
        var mask = data.Mask;
        for (long i = 0; i < mask.LongLength; i++)
        {
            var v = values[values.LongLength == mask.LongLength ? i : i % frame];
            uint bits;
            if (options.BitFlags)
            {
                bits = (uint)v & Pixels.Unknown;
            }
            else
            {
                var masked = options.Invert ? v == 0 : v != 0 && !float.IsNaN(v);
                bits = masked ? (uint)options.Flag : 0;
            }

            if (bits != 0 && (mask[i] & Pixels.Unknown) == 0)
            {
                added++;
            }

            mask[i] |= bits;
        }

        return added;
    }
}
