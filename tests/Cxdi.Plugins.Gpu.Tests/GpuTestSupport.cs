using Cxdi.Plugins.Gpu.Backends;

namespace Cxdi.Plugins.Gpu.Tests;

/// <summary>Where the GPU plugin's build output is (a plugin folder), and whether a CUDA device is usable here.</summary>
internal static class GpuTestSupport
{
    /// <summary>The build folder of the GPU plugin, same configuration as the tests.</summary>
    public static string PluginFolder()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cxdi.Workbench.sln")))
            {
                return Path.Combine(dir.FullName, "plugins", "Cxdi.Plugins.Gpu", "bin", configuration, "net10.0");
            }
        }

        throw new DirectoryNotFoundException("Cxdi.Workbench.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Why the CUDA tests skip here, or null when a CUDA device, its driver and cuFFT are present.</summary>
    public static string? CudaSkipReason() => CudaProbe.IsAvailable(out var reason) ? null : $"cxdi.cuda is not available here: {reason}";
}

/// <summary>A fact skipped, with the reason, where cxdi.cuda cannot run (no GPU, no driver, no cuFFT).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (GpuTestSupport.CudaSkipReason() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory skipped, with the reason, where cxdi.cuda cannot run.</summary>
public sealed class CudaTheoryAttribute : TheoryAttribute
{
    public CudaTheoryAttribute()
    {
        if (GpuTestSupport.CudaSkipReason() is { } reason)
        {
            Skip = reason;
        }
    }
}
