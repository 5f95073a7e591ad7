using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Cxdi.Plugin1;

/// <summary>Registers this assembly's plugins with the host (one call per plugin class).</summary>
public sealed class PluginModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services) => services.AddCxdiPlugin<Scale>();
}
