using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Options of <see cref="SaturationMaskStep"/>.</summary>
public sealed record SaturationMaskOptions : PluginOptions
{
    /// <summary>Counts at or above which a pixel is saturated.</summary>
    [Description("Counts at or above which a pixel is non-linear or saturated (detector specific: e.g. 11810 for a Maxipix at high rate, the count-rate limit × exposure for an Eiger).")]
    [Unit("photons")]
    [Positive]
    public double Level { get; init; } = 1e6;
}

/// <summary>Flags pixels at or above a saturation level as <see cref="MaskFlags.Saturated"/>.</summary>
[CxdiPlugin("cxdi.mask.saturation", "1.0.0", Description = "Flag pixels at or above the detector's saturation level.")]
public sealed class SaturationMaskStep : PreprocessorBase<SaturationMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, SaturationMaskOptions options, StepContext context)
    {
        long n = 0;
        for (long i = 0; i < input.Intensity.LongLength; i++)
        {
            if (input.Intensity[i] >= options.Level)
            {
                input.Mask[i] |= (uint)MaskFlags.Saturated;
                n++;
            }
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"{n} pixels at or above {StepLog.F(options.Level)} counts flagged saturated", new Dictionary<string, object> { ["saturated_pixels"] = n });
        return input;
    }
}
