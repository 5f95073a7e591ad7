using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Phasing.Compute;

/// <summary>Options of the built-in CPU backend providers.</summary>
public sealed record CpuBackendOptions : PluginOptions
{
    /// <summary>Threads used by kernels and FFTs.</summary>
    [System.ComponentModel.Description("Threads for kernels and FFTs, 0 = all cores.")]
    [System.ComponentModel.DataAnnotations.Range(0, 4096)]
    public int Threads { get; init; }

    /// <summary>Force the managed FFT.</summary>
    [System.ComponentModel.Description("Use the managed FFT even when FFTW is installed (slower; bit-identical on every machine).")]
    public bool ForceManaged { get; init; }
}

/// <summary>The CPU backend: all cores, SIMD kernels, FFTW when installed (managed FFT otherwise).</summary>
[CxdiPlugin("cxdi.cpu", "1.0.0", Description = "CPU compute backend: all cores, fused kernels, FFTW when present (managed FFT otherwise).")]
public sealed class CpuBackendProvider : IComputeBackendProvider
{
    /// <inheritdoc />
    public Type OptionsType => typeof(CpuBackendOptions);

    /// <inheritdoc />
    public int Priority => 10;

    /// <inheritdoc />
    public bool IsAvailable(out string reason)
    {
        reason = "";
        return true;
    }

    /// <inheritdoc />
    public IComputeBackend Create(PluginOptions options)
    {
        var o = options as CpuBackendOptions ?? new CpuBackendOptions();
        return new CpuComputeBackend(o.ForceManaged ? FftPreference.Managed : FftPreference.Auto, o.Threads);
    }
}

/// <summary>The CPU backend with the managed FFT only: needs nothing installed, reproducible bit for bit.</summary>
[CxdiPlugin("cxdi.cpu-managed", "1.0.0", Description = "CPU compute backend with the managed FFT only (no native library, bit-reproducible).")]
public sealed class ManagedCpuBackendProvider : IComputeBackendProvider
{
    /// <inheritdoc />
    public Type OptionsType => typeof(CpuBackendOptions);

    /// <inheritdoc />
    public int Priority => 1;

    /// <inheritdoc />
    public bool IsAvailable(out string reason)
    {
        reason = "";
        return true;
    }

    /// <inheritdoc />
    public IComputeBackend Create(PluginOptions options) => new CpuComputeBackend(FftPreference.Managed, (options as CpuBackendOptions)?.Threads ?? 0);
}

/// <summary>Creates the backend a step asked for: through the host when there is one, else the built-in CPU backends.</summary>
internal static class Backends
{
    /// <summary>Backend <paramref name="id"/> (null = best available) with <paramref name="threads"/> threads (0 = all cores).</summary>
    public static IComputeBackend Create(string? id, StepContext context, int threads)
    {
        var key = string.IsNullOrWhiteSpace(id) ? null : id.Trim().ToLowerInvariant();
        if (context.Plugins is { } plugins)
        {
            var backend = plugins.CreateBackend(key);
            if (threads <= 0 || backend is not IThreadedBackend threaded || threads == threaded.Threads)
            {
                return backend;
            }

            using (backend)
            {
                return threaded.Fork(threads);
            }
        }

        return key switch
        {
            null or "cpu" or "cxdi.cpu" => new CpuComputeBackend(FftPreference.Auto, threads),
            "cpu-managed" or "cxdi.cpu-managed" => new CpuComputeBackend(FftPreference.Managed, threads),
            _ => throw new PluginNotFoundException(key, $"backend: no compute backend '{key}' outside a host", "use cpu or cpu-managed"),
        };
    }
}

/// <summary>Runs side by side on backends that split into threads (<see cref="IThreadedBackend"/>); other backends run one start at a time.</summary>
internal static class Lanes
{
    /// <summary>Threads of <paramref name="backend"/>, 1 when it cannot be split.</summary>
    public static int Threads(IComputeBackend backend) => backend is IThreadedBackend threaded ? threaded.Threads : 1;

    /// <summary>A fork of <paramref name="backend"/> with <paramref name="threads"/> threads; only for an <see cref="IThreadedBackend"/>.</summary>
    public static IComputeBackend Fork(IComputeBackend backend, int threads) =>
        backend is IThreadedBackend threaded ? threaded.Fork(threads) : throw new InvalidOperationException($"backend {backend.Name} runs one start at a time");
}
