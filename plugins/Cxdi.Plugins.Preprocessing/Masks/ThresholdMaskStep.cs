using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Options of <see cref="ThresholdMaskStep"/>.</summary>
public sealed record ThresholdMaskOptions : PluginOptions
{
    /// <summary>Pixels strictly below this value are flagged.</summary>
    [Description("Pixels with intensity strictly below this are flagged with below_flag (e.g. 0 flags negative values). Leave unset to skip.")]
    [Unit("photons")]
    public double? Below { get; init; }

    /// <summary>Pixels strictly above this value are flagged.</summary>
    [Description("Pixels with intensity strictly above this are flagged with above_flag (e.g. the detector's linear limit). Leave unset to skip.")]
    [Unit("photons")]
    public double? Above { get; init; }

    /// <summary>Flag set on pixels below the threshold.</summary>
    [Description("Mask flag for pixels below the threshold: invalid, dead, user, … (any detector flag).")]
    public MaskFlags BelowFlag { get; init; } = MaskFlags.Invalid;

    /// <summary>Flag set on pixels above the threshold.</summary>
    [Description("Mask flag for pixels above the threshold: saturated, hot, user, … (any detector flag).")]
    public MaskFlags AboveFlag { get; init; } = MaskFlags.Saturated;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (Below is null && Above is null)
        {
            yield return new OptionProblem(nameof(Below), "set below, above or both (e.g. below: 0)");
        }

        if (Below is { } b && Above is { } a && a < b)
        {
            yield return new OptionProblem(nameof(Above), $"above ({a}) is less than below ({b}): every pixel would be flagged");
        }

        if (!Pixels.IsDetectorFlag(BelowFlag))
        {
            yield return new OptionProblem(nameof(BelowFlag), "must be a single detector flag such as invalid, dead or user");
        }

        if (!Pixels.IsDetectorFlag(AboveFlag))
        {
            yield return new OptionProblem(nameof(AboveFlag), "must be a single detector flag such as saturated, hot or user");
        }
    }
}

/// <summary>Flags pixels below and/or above intensity thresholds; the intensities themselves are left as they are.</summary>
[CxdiPlugin("cxdi.mask.threshold", "1.0.0", Description = "Flag pixels below or above intensity thresholds.")]
public sealed class ThresholdMaskStep : PreprocessorBase<ThresholdMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, ThresholdMaskOptions options, StepContext context)
    {
        var below = options.Below ?? double.NegativeInfinity;
        var above = options.Above ?? double.PositiveInfinity;
        uint fb = (uint)options.BelowFlag, fa = (uint)options.AboveFlag;
        long nBelow = 0, nAbove = 0;
        var intensity = input.Intensity;
        var mask = input.Mask;
        for (long i = 0; i < intensity.LongLength; i++)
        {
            var v = intensity[i];
            if (v < below)
            {
                nBelow += (mask[i] & fb) == 0 ? 1 : 0;
                mask[i] |= fb;
            }
            else if (v > above)
            {
                nAbove += (mask[i] & fa) == 0 ? 1 : 0;
                mask[i] |= fa;
            }
        }

        var parts = new List<string>();
        if (options.Below is { } b)
        {
            parts.Add($"{nBelow} pixels below {StepLog.F(b)} as {options.BelowFlag.ToString().ToLowerInvariant()}");
        }

        if (options.Above is { } a)
        {
            parts.Add($"{nAbove} pixels above {StepLog.F(a)} as {options.AboveFlag.ToString().ToLowerInvariant()}");
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), "flagged " + string.Join(" and ", parts), new Dictionary<string, object>
        {
            ["below_pixels"] = nBelow,
            ["above_pixels"] = nAbove,
        });
        return input;
    }
}
