using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Host.TestPlugins;

/// <summary>Registers the test plugins.</summary>
public sealed class TestPluginModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        services.AddCxdiPlugin<GeneratorReader>();
        services.AddCxdiPlugin<RawTextReader>();
        services.AddCxdiPlugin<ScalePreprocessor>();
        services.AddCxdiPlugin<SlowPreprocessor>();
        services.AddCxdiPlugin<ThrowingPreprocessor>();
        services.AddCxdiPlugin<NanPreprocessor>();
        services.AddCxdiPlugin<BoxSupportFinder>();
        services.AddCxdiPlugin<TestPhaser>();
        services.AddCxdiPlugin<Guardrails>();
        services.AddCxdiPlugin<JsonWriter>();
        services.AddCxdiPlugin<TextWriterPlugin>();
        services.AddCxdiPlugin<StatsTool>();
        services.AddCxdiPlugin<SlowBackendProvider>();
        services.AddCxdiPlugin<FastBackendProvider>();
        services.AddCxdiPlugin<MissingGpuBackendProvider>();
    }
}
