using Cxdi.Conformance;
using Cxdi.Sdk.Compute;

namespace Cxdi.Plugins.Gpu.Tests;

/// <summary>The backend conformance suite on <c>cxdi.ilgpu-cpu</c>, loaded from the GPU plugin's folder as the host loads it.</summary>
public sealed class IlgpuCpuConformanceTests : BackendConformance
{
    /// <inheritdoc />
    protected override IComputeBackend CreateBackend() => FromPluginFolder(GpuTestSupport.PluginFolder(), "cxdi.ilgpu-cpu");
}
