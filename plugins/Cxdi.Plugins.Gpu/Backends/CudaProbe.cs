using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>
/// Whether <c>cxdi.cuda</c> can run here, and why not: no NVIDIA driver (libcuda), no CUDA device, a device or driver ILGPU
/// cannot target, or no cuFFT library. Probed once per process (the driver and the libraries do not change while it runs).
/// </summary>
public static class CudaProbe
{
    /// <summary>The cuFFT library names <c>new CuFFT()</c> tries, newest first.</summary>
    public static readonly string[] CufftLibraries = ["libcufft.so.12", "libcufft.so.11", "libcufft.so.10"];

    private static readonly Lazy<(bool Ok, string Reason, string Devices)> Result = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when a CUDA device, a recent enough driver and cuFFT are present; otherwise <paramref name="reason"/> says which is missing.</summary>
    public static bool IsAvailable(out string reason)
    {
        var r = Result.Value;
        reason = r.Ok ? r.Devices : r.Reason;
        return r.Ok;
    }

    /// <summary>Number of CUDA devices ILGPU sees (0 without a driver).</summary>
    public static int DeviceCount()
    {
        if (!HasLibrary(DriverLibrary()))
        {
            return 0;
        }

        using var context = Context.Create(builder => builder.Cuda());
        return context.GetCudaDevices().Count;
    }

    private static (bool, string, string) Probe()
    {
        var driver = DriverLibrary();
        if (!HasLibrary(driver))
        {
            return (false, $"no NVIDIA driver ({driver} not found)", "");
        }

        try
        {
            using var context = Context.Create(builder => builder.Cuda());
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
            {
                return (false, "no CUDA device visible (the driver is loaded but reports no GPU; check CUDA_VISIBLE_DEVICES)", "");
            }

            var device = devices[0];
            if (device.Architecture is not { } architecture)
            {
                return (false, $"{device.Name} has a CUDA architecture ILGPU 1.5.3 does not know (driver {device.DriverVersion})", "");
            }

            var minimum = CudaDriverVersionUtils.GetMinimumDriverVersion(architecture);
            if (device.DriverVersion < minimum)
            {
                return (false, $"CUDA driver {device.DriverVersion} is too old for {device.Name} ({device.Architecture}); ILGPU needs {minimum} or newer", "");
            }

            if (!CufftLibraries.Any(HasLibrary))
            {
                return (false, $"no cuFFT library ({string.Join(", ", CufftLibraries)} not found; install the CUDA toolkit's libcufft or add its folder to LD_LIBRARY_PATH)", "");
            }

            var names = new List<string>();
            foreach (var d in devices)
            {
                names.Add($"{d.Name} ({d.Architecture}, {d.MemorySize >> 20} MiB)");
            }

            return (true, "", string.Join(", ", names));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException or NotSupportedException or CudaException)
        {
            return (false, $"CUDA is not usable: {e.GetBaseException().Message.ReplaceLineEndings(" ")}", "");
        }
    }

    private static string DriverLibrary() => OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";

    private static bool HasLibrary(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
