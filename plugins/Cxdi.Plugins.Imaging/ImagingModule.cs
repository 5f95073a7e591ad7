using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Imaging;

/// <summary>Registers the imaging plugins: the PNG picture writer.</summary>
public sealed class ImagingModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services) => services.AddCxdiPlugin<PngWriter>();
}
