using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Phasing;

/// <summary>Registers the phasing plugins: the phaser, the CPU backends, the support finders, the simulator and the benchmark.</summary>
public sealed class PhasingModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        services.AddCxdiPlugin<PhasePlugin>();
        services.AddCxdiPlugin<CpuBackendProvider>();
        services.AddCxdiPlugin<ManagedCpuBackendProvider>();
        services.AddCxdiPlugin<AutocorrelationSupportFinder>();
        services.AddCxdiPlugin<ShapeSupportFinder>();
        services.AddCxdiPlugin<FileSupportFinder>();
        services.AddCxdiPlugin<SimulateReader>();
        services.AddCxdiPlugin<SimulateTool>();
        services.AddCxdiPlugin<Bench.BenchTool>();
    }
}
