using Cxdi.Plugins.Gpu.Backends;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Gpu;

/// <summary>Registers the GPU compute backends: <c>cxdi.cuda</c> and <c>cxdi.ilgpu-cpu</c>.</summary>
public sealed class GpuModule : ICxdiPluginModule
{
    /// <inheritdoc />
    public void Configure(IServiceCollection services)
    {
        services.AddCxdiPlugin<CudaBackendProvider>();
        services.AddCxdiPlugin<IlgpuCpuBackendProvider>();
    }
}
