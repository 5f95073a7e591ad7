using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Simulation;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Phasing;

/// <summary>Registers the phasing plugins: the phaser, the operators, the CPU backends, the support finders, the simulator and the benchmark.</summary>
public sealed class PhasingModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        services.AddCxdiPlugin<PhasePlugin>();
        services.AddCxdiPlugin<SeriesPhasePlugin>();
        services.AddCxdiPlugin<CpuBackendProvider>();
        services.AddCxdiPlugin<ManagedCpuBackendProvider>();
        services.AddCxdiPlugin<AutocorrelationSupportFinder>();
        services.AddCxdiPlugin<ShapeSupportFinder>();
        services.AddCxdiPlugin<FileSupportFinder>();
        services.AddCxdiPlugin<SimulateReader>();
        services.AddCxdiPlugin<SimulateTool>();
        services.AddCxdiPlugin<Bench.BenchTool>();

        services.AddPhasingOperator<ErOperator>("ER");
        services.AddPhasingOperator<HioOperator>("HIO");
        services.AddPhasingOperator<RaarOperator>("RAAR");
        services.AddPhasingOperator<DmOperator>("DM");
        services.AddPhasingOperator<CfOperator>("CF");
        services.AddPhasingOperator<SupportUpdateOperator>("Sup");
        services.AddPhasingOperator<SupportUpdateOperator>("SupportUpdate");
        services.AddPhasingOperator<FourierTransformOperator>("FT");
        services.AddPhasingOperator<InverseFourierTransformOperator>("IFT");
        services.AddPhasingOperator<ModulusProjectionOperator>("Proj");
        services.AddPhasingOperator<SupportProjectionOperator>("PS");
        services.AddPhasingOperator<MetricsOperator>("LLK");
        services.AddPhasingOperator<MaximumLikelihoodOperator>("ML");
        services.AddPhasingOperator<GpsOperator>("GPS");
        services.AddPhasingOperator<OssOperator>("OSS");
        services.AddPhasingOperator<ErTvOperator>("ER_TV");
        services.AddPhasingOperator<HioTvOperator>("HIO_TV");
        services.AddPhasingOperator<ErPsfOperator>("ER_PSF");
        services.AddPhasingOperator<HioPsfOperator>("HIO_PSF");
        services.AddPhasingOperator<RaarPsfOperator>("RAAR_PSF");
    }
}
