using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Sdk.Plugins;

/// <summary>The entry point of a plugin assembly: registers its implementations (with <see cref="PluginServiceCollectionExtensions.AddCxdiPlugin{T}"/>) and their services.</summary>
public interface ICxdiPluginModule
{
    /// <summary>Registers this plugin's implementations and services; called once when the host loads the plugin folder.</summary>
    void Configure(IServiceCollection services);
}
