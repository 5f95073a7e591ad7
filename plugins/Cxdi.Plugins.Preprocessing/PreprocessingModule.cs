using Cxdi.Plugins.Preprocessing.Corrections;
using Cxdi.Plugins.Preprocessing.Guardrails;
using Cxdi.Plugins.Preprocessing.Masks;
using Cxdi.Plugins.Preprocessing.Reshaping;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Preprocessing;

/// <summary>Registers the preprocessing, geometry, guardrail, planning and 3D-assembly plugins.</summary>
public sealed class PreprocessingModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        // Masks.
        services.AddCxdiPlugin<FlipStep>();
        services.AddCxdiPlugin<ZeroMaskStep>();
        services.AddCxdiPlugin<ThresholdMaskStep>();
        services.AddCxdiPlugin<FileMaskStep>();
        services.AddCxdiPlugin<BeamstopMaskStep>();
        services.AddCxdiPlugin<SaturationMaskStep>();
        services.AddCxdiPlugin<HotPixelMaskStep>();
        services.AddCxdiPlugin<DeadPixelMaskStep>();
        services.AddCxdiPlugin<DetectorGapMaskStep>();
        services.AddCxdiPlugin<GrowMaskStep>();
        services.AddCxdiPlugin<ShrinkMaskStep>();

        // Corrections.
        services.AddCxdiPlugin<DarkStep>();
        services.AddCxdiPlugin<FlatFieldStep>();
        services.AddCxdiPlugin<BackgroundStep>();
        services.AddCxdiPlugin<FrameSumStep>();
        services.AddCxdiPlugin<NormalizeStep>();
        services.AddCxdiPlugin<SanitizeStep>();

        // Geometry.
        services.AddCxdiPlugin<CropPadStep>();
        services.AddCxdiPlugin<CenterStep>();
        services.AddCxdiPlugin<BinStep>();
        services.AddCxdiPlugin<SymmetrizeStep>();

        // Checks.
        services.AddCxdiPlugin<GuardrailsAnalysis>();
        services.AddCxdiPlugin<Assembly.AssembleStep>();
        services.AddCxdiPlugin<Assembly.AssembleTool>();
        services.AddCxdiPlugin<Planning.PlanTool>();
        services.AddCxdiPlugin<Planning.PlanAnalysis>();
    }
}
