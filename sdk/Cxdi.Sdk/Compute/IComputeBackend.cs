using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Compute;

/// <summary>
/// A compute device (CPU cores, a GPU) that owns the whole phasing state for a run: buffers, FFT plans and the fused
/// kernels projection algorithms need. Operators are written once against this interface and never touch element memory.
/// </summary>
public interface IComputeBackend : IDisposable
{
    /// <summary>Short name, e.g. <c>cpu/fftw</c>, <c>cpu/managed</c>, <c>cuda</c>.</summary>
    string Name { get; }

    /// <summary>Which FFT implementation runs, e.g. <c>FFTW 3.3.10 (2 threads)</c>.</summary>
    string FftName { get; }

    /// <summary>
    /// In-place FFT of a host array of <paramref name="shape"/> (2D or 3D, row-major, zero frequency at index 0).
    /// <see cref="FftDirection.Forward"/> is unscaled; <see cref="FftDirection.Inverse"/> is scaled by 1/N so that
    /// inverse(forward(x)) = x. For occasional transforms (autocorrelation, simulation); phasing keeps data on the device.
    /// </summary>
    void Transform(Span<Data.Complex32> data, Data.Shape shape, FftDirection direction);
}

/// <summary>Direction of a Fourier transform.</summary>
public enum FftDirection
{
    /// <summary>exp(−2πi k·x / N), unscaled.</summary>
    Forward,

    /// <summary>exp(+2πi k·x / N), scaled by 1/N.</summary>
    Inverse,
}

/// <summary>A plugin that creates compute backends; the host picks explicit choice → <c>CXDI_BACKEND</c> → best available → managed CPU.</summary>
public interface IComputeBackendProvider : IPlugin
{
    /// <summary>True when this backend can run here; otherwise <paramref name="reason"/> says why not (no GPU, no library).</summary>
    bool IsAvailable(out string reason);

    /// <summary>Higher wins when several are available (GPU over native FFT over managed).</summary>
    int Priority { get; }

    /// <summary>Creates a backend; throws <see cref="Errors.CxdiException"/> with the reason when not available.</summary>
    IComputeBackend Create(PluginOptions options);
}
