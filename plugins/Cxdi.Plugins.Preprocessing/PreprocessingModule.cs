using Cxdi.Plugins.Preprocessing.Masks;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Preprocessing;

/// <summary>Registers the preprocessing, geometry, guardrail, planning and 3D-assembly plugins.</summary>
public sealed class PreprocessingModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        services.AddCxdiPlugin<FlipStep>();
        services.AddCxdiPlugin<ZeroMaskStep>();
        services.AddCxdiPlugin<ThresholdMaskStep>();
    }
}
