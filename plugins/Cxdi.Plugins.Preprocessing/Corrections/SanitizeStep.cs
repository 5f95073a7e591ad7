using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Corrections;

/// <summary>What to do with negative intensities.</summary>
public enum NegativePolicy
{
    /// <summary>Flag them invalid (value kept).</summary>
    Flag,

    /// <summary>Set them to 0 and keep them measured.</summary>
    Clip,

    /// <summary>Leave them (counted only).</summary>
    Keep,
}

/// <summary>Options of <see cref="SanitizeStep"/>.</summary>
public sealed record SanitizeOptions : PluginOptions
{
    /// <summary>Policy for negative values.</summary>
    [Description("Negative values (after dark or background subtraction): flag (invalid, value kept), clip (set to 0, stays measured) or keep. Values within tolerance below 0 are always clipped.")]
    public NegativePolicy Negative { get; init; } = NegativePolicy.Flag;

    /// <summary>Negative values down to −tolerance are noise and clipped to 0.</summary>
    [Description("Negative values down to −tolerance are subtraction noise and set to 0 (kept measured) whatever the policy; 0 disables.")]
    [Unit("photons")]
    [Range(0.0, 1e12)]
    public double Tolerance { get; init; }
}

/// <summary>Flags NaN and infinite values invalid (setting them to 0 so sums stay finite) and handles negative values; reports the counts.</summary>
[CxdiPlugin("cxdi.sanitize", "1.0.0", Description = "Flag NaN/Inf values and handle negative intensities, with counts.")]
public sealed class SanitizeStep : PreprocessorBase<SanitizeOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, SanitizeOptions options, StepContext context)
    {
        long nonFinite = 0, flagged = 0, clipped = 0, kept = 0;
        var tol = -options.Tolerance;
        for (long i = 0; i < input.Intensity.LongLength; i++)
        {
            var v = input.Intensity[i];
            if (!float.IsFinite(v))
            {
                input.Intensity[i] = 0;
                input.Mask[i] |= (uint)MaskFlags.Invalid;
                nonFinite++;
            }
            else if (v < 0)
            {
                if (v >= tol || options.Negative == NegativePolicy.Clip)
                {
                    input.Intensity[i] = 0;
                    clipped++;
                }
                else if (options.Negative == NegativePolicy.Flag)
                {
                    input.Mask[i] |= (uint)MaskFlags.Invalid;
                    flagged++;
                }
                else
                {
                    kept++;
                }
            }
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"{nonFinite} NaN/Inf pixels flagged invalid; negative pixels: {flagged} flagged, {clipped} clipped to 0, {kept} kept", new Dictionary<string, object>
        {
            ["nonfinite_pixels"] = nonFinite,
            ["negative_flagged"] = flagged,
            ["negative_clipped"] = clipped,
            ["negative_kept"] = kept,
        });
        return input;
    }
}
