using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Company.Cxdi.Plugin1;

/// <summary>Options of <see cref="Scale"/> (YAML keys: <c>factor</c>, <c>offset</c>).</summary>
public sealed record ScaleOptions : PluginOptions
{
    /// <summary>Photons per detector count.</summary>
    [Description("Photons per detector count; use the detector's gain so that phasing sees photon numbers (its noise model assumes them)")]
    [Unit("photons/count")]
    [Positive]
    public double Factor { get; init; } = 1;

    /// <summary>Dark level subtracted before scaling.</summary>
    [Description("Dark level subtracted from every measured pixel before scaling; results below zero are set to zero")]
    [Unit("counts")]
    [Range(0.0, double.MaxValue)]
    public double Offset { get; init; }
}

/// <summary>Converts detector counts to photons: <c>max(0, (value − offset) × factor)</c> on every measured pixel; unknown pixels are left as they are.</summary>
[CxdiPlugin("company.cxdi.plugin1.scale", "1.0.0", Description = "Converts detector counts to photons (dark offset, then gain)")]
public sealed class Scale : PreprocessorBase<ScaleOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, ScaleOptions options, StepContext context)
    {
        var output = input.Clone();
        for (long i = 0; i < output.Intensity.LongLength; i++)
        {
            if ((i & 0xFFFF) == 0)
            {
                context.Cancellation.ThrowIfCancellationRequested();
            }

            if (output.IsMeasured(i))
            {
                output.Intensity[i] = (float)Math.Max(0, (output.Intensity[i] - options.Offset) * options.Factor);
            }
        }

        return output;
    }
}
