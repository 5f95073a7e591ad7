using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>Options of <c>cxdi.cuda</c>.</summary>
public sealed record CudaBackendOptions : PluginOptions
{
    /// <summary>CUDA device index.</summary>
    [Description("CUDA device index (0 = the first GPU; nvidia-smi lists them).")]
    [Range(0, 64)]
    public int Device { get; init; }
}

/// <summary>Options of <c>cxdi.ilgpu-cpu</c> (none).</summary>
public sealed record IlgpuCpuBackendOptions : PluginOptions;

/// <summary>A GPU backend was asked for where it cannot run; the message says why.</summary>
public sealed class GpuUnavailableException(string message, string? hint = null) : CxdiException(message, hint);

/// <summary><c>cxdi.cuda</c>: the GPU kernels on an NVIDIA GPU with cuFFT.</summary>
[CxdiPlugin("cxdi.cuda", "1.0.0", Description = "NVIDIA GPU compute backend (ILGPU CUDA + cuFFT): fused kernels and reductions on the device, data kept on the GPU.")]
public sealed class CudaBackendProvider : IComputeBackendProvider
{
    /// <inheritdoc />
    public Type OptionsType => typeof(CudaBackendOptions);

    /// <inheritdoc />
    public int Priority => 100;

    /// <inheritdoc />
    public bool IsAvailable(out string reason)
    {
        var ok = CudaProbe.IsAvailable(out var why);
        reason = ok ? "" : why;
        return ok;
    }

    /// <inheritdoc />
    public IComputeBackend Create(PluginOptions options)
    {
        if (!CudaProbe.IsAvailable(out var reason))
        {
            throw new GpuUnavailableException($"compute backend cxdi.cuda is not available here: {reason}", "choose another with --backend (cpu) or backend: in the step");
        }

        var device = (options as CudaBackendOptions)?.Device ?? 0;
        var count = CudaProbe.DeviceCount();
        if (device >= count)
        {
            throw new GpuUnavailableException($"cxdi.cuda: device {device} does not exist ({count} CUDA device(s))", "set device: to an index below the count");
        }

        return CudaBackend.Create(device);
    }
}

/// <summary><c>cxdi.ilgpu-cpu</c>: the same kernels on ILGPU's CPU accelerator, for tests and debugging (slow).</summary>
[CxdiPlugin("cxdi.ilgpu-cpu", "1.0.0", Description = "The GPU kernels on ILGPU's CPU accelerator with a host FFT: for tests and debugging of the GPU path, very slow.")]
public sealed class IlgpuCpuBackendProvider : IComputeBackendProvider
{
    /// <inheritdoc />
    public Type OptionsType => typeof(IlgpuCpuBackendOptions);

    /// <summary>Never picked automatically: it is a debugger, not a compute path.</summary>
    public int Priority => 0;

    /// <inheritdoc />
    public bool IsAvailable(out string reason)
    {
        reason = "";
        return true;
    }

    /// <inheritdoc />
    public IComputeBackend Create(PluginOptions options) => IlgpuCpuBackend.Create();
}
