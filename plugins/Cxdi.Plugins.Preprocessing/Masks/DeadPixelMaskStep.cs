using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Options of <see cref="DeadPixelMaskStep"/>.</summary>
public sealed record DeadPixelMaskOptions : PluginOptions
{
    /// <summary>A pixel at or below this level in every frame is dead.</summary>
    [Description("A pixel whose value is ≤ this level in every frame is dead (0: never counted). For a single 2D frame this also catches genuine zero counts, so prefer a series or cxdi.mask.zeros.")]
    [Unit("photons")]
    public double Level { get; init; }
}

/// <summary>Flags pixels that never rise above a level in any frame (of a 3D series, or the single 2D frame) as <see cref="MaskFlags.Dead"/>.</summary>
[CxdiPlugin("cxdi.mask.dead", "1.0.0", Description = "Flag dead pixels: at or below a level in all frames.")]
public sealed class DeadPixelMaskStep : PreprocessorBase<DeadPixelMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, DeadPixelMaskOptions options, StepContext context)
    {
        var (frames, frame) = Pixels.Frames(input.Shape);
        long dead = 0;
        for (var p = 0; p < frame; p++)
        {
            var alive = false;
            for (var z = 0; z < frames && !alive; z++)
            {
                alive = !(input.Intensity[((long)z * frame) + p] <= options.Level);
            }

            if (alive)
            {
                continue;
            }

            dead++;
            for (var z = 0; z < frames; z++)
            {
                input.Mask[((long)z * frame) + p] |= (uint)MaskFlags.Dead;
            }
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"{dead} pixels ≤ {StepLog.F(options.Level)} in all {frames} frame(s) flagged dead", new Dictionary<string, object> { ["dead_pixels"] = dead });
        return input;
    }
}
