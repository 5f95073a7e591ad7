using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Corrections;

/// <summary>How per-frame masks combine into one.</summary>
public enum MaskCombine
{
    /// <summary>Unknown when unknown in any constituent (safest: no partial sums).</summary>
    Any,

    /// <summary>Unknown only when unknown in all constituents; partial sums are rescaled to the full count.</summary>
    All,
}

/// <summary>Options of <see cref="FrameSumStep"/>.</summary>
public sealed record FrameSumOptions : PluginOptions
{
    /// <summary>Average instead of sum.</summary>
    [Description("Average the frames instead of summing them (keeps the count scale of one frame; the sum keeps Poisson statistics).")]
    public bool Mean { get; init; }

    /// <summary>How the per-frame masks combine.</summary>
    [Description("any: a pixel unknown in any frame stays unknown; all: unknown only when unknown in every frame, its known frames rescaled to the full count.")]
    public MaskCombine Combine { get; init; } = MaskCombine.Any;
}

/// <summary>Sums (or averages) the frames of a 3D series of repeated exposures into one 2D pattern.</summary>
[CxdiPlugin("cxdi.frames.sum", "1.0.0", Description = "Sum or average the frames of a series into one 2D pattern.")]
public sealed class FrameSumStep : PreprocessorBase<FrameSumOptions>
{
    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, FrameSumOptions options)
    {
        WorkflowShapeException.ThrowUnlessDetector(input);
        if (!input.Shape.Is3D)
        {
            throw new WorkflowShapeException($"cxdi.frames.sum needs a 3D series (frames × rows × columns) but receives {input}", "remove this step for a single 2D pattern");
        }

        return input with { Shape = Shape.Of(input.Shape.Ny, input.Shape.Nx) };
    }

    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, FrameSumOptions options, StepContext context)
    {
        Plan(input.Spec, options);
        var (frames, frame) = Pixels.Frames(input.Shape);
        var sum = new float[frame];
        var mask = new uint[frame];
        long unknown = 0;
        for (var p = 0; p < frame; p++)
        {
            double s = 0;
            var known = 0;
            uint anyFlags = 0;
            for (var z = 0; z < frames; z++)
            {
                var i = ((long)z * frame) + p;
                var m = input.Mask[i] & Pixels.Unknown;
                anyFlags |= input.Mask[i];
                if (m == 0)
                {
                    s += input.Intensity[i];
                    known++;
                }
            }

            var isUnknown = options.Combine == MaskCombine.Any ? known < frames : known == 0;
            if (isUnknown)
            {
                mask[p] = anyFlags;
                unknown++;
            }

            var total = known > 0 ? s * frames / known : 0;
            sum[p] = (float)(options.Mean ? total / frames : total);
        }

        var output = new DiffractionData(Shape.Of(input.Shape.Ny, input.Shape.Nx), sum, mask)
        {
            Geometry = input.Geometry with { TiltAngles = null },
            Provenance = input.Provenance,
            Metadata = input.Metadata,
            Findings = input.Findings,
        };
        StepLog.Record(output, context, StepLog.IdOf(GetType()), $"{(options.Mean ? "averaged" : "summed")} {frames} frames; {unknown} pixels unknown ({options.Combine.ToString().ToLowerInvariant()} rule)", new Dictionary<string, object>
        {
            ["frames"] = frames,
            ["unknown_pixels"] = unknown,
        });
        return output;
    }
}
