using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Ml;

/// <summary>Registers the ML.NET plugins: the tree denoiser, the linear 3D denoiser, inpainting, the ML support proposal and <c>cxdi train</c>.</summary>
public sealed class MlModule : ICxdiPluginModule
{
    /// <summary>The plugin version recorded in model provenance.</summary>
    public const string Version = "1.0.0";

    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        services.AddCxdiPlugin<TreeDenoiser>();
        services.AddCxdiPlugin<LinearDenoiser3D>();
        services.AddCxdiPlugin<Support.MlSupportFinder>();
        services.AddCxdiPlugin<Inpainting.Inpainter>();
        services.AddCxdiPlugin<Cli.TrainTool>();
        services.AddCxdiPlugin<Onnx.OnnxDenoiser>();
        services.AddCxdiPlugin<Gate.GatedPhaser>();
    }
}
