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

    /// <summary>Threads (or streams) this backend's kernels and FFTs may use.</summary>
    int Threads { get; }

    /// <summary>
    /// A backend on the same device whose kernels and FFTs use at most <paramref name="threads"/> threads, so independent
    /// runs can proceed side by side; buffers and plans belong to the backend that made them. Dispose it after use.
    /// </summary>
    IComputeBackend Fork(int threads);

    /// <summary>Allocates a complex64 array of <paramref name="shape"/>, zero-filled.</summary>
    ComplexBuffer AllocateComplex(Data.Shape shape);

    /// <summary>Allocates a float32 array of <paramref name="shape"/>, zero-filled.</summary>
    RealBuffer AllocateReal(Data.Shape shape);

    /// <summary>Allocates a byte array of <paramref name="shape"/>, zero-filled.</summary>
    MaskBuffer AllocateMask(Data.Shape shape);

    /// <summary>Copies host values into a device buffer of the same length.</summary>
    void Upload(ReadOnlySpan<Data.Complex32> source, ComplexBuffer destination);

    /// <summary>Copies host values into a device buffer of the same length.</summary>
    void Upload(ReadOnlySpan<float> source, RealBuffer destination);

    /// <summary>Copies host values into a device buffer of the same length.</summary>
    void Upload(ReadOnlySpan<byte> source, MaskBuffer destination);

    /// <summary>Copies a device buffer into host memory of the same length.</summary>
    void Download(ComplexBuffer source, Span<Data.Complex32> destination);

    /// <summary>Copies a device buffer into host memory of the same length.</summary>
    void Download(RealBuffer source, Span<float> destination);

    /// <summary>Copies a device buffer into host memory of the same length.</summary>
    void Download(MaskBuffer source, Span<byte> destination);

    /// <summary>Creates an in-place FFT plan for <paramref name="shape"/> (2D or 3D) using this backend's threads.</summary>
    FftPlan CreateFftPlan(Data.Shape shape);

    /// <summary>Transforms <paramref name="data"/> in place with <paramref name="plan"/>; same conventions as <see cref="Transform"/>.</summary>
    void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction);

    /// <summary>dst ← src.</summary>
    void Copy(ComplexBuffer source, ComplexBuffer destination);

    /// <summary>data ← factor · data.</summary>
    void Scale(ComplexBuffer data, float factor);

    /// <summary>
    /// The fused Fourier-space kernel. For each pixel of class <see cref="PixelClass.Measured"/> with observed amplitude
    /// a = √o, when <paramref name="project"/> is set ψ ← a·ψ/|ψ| (ψ ← a where ψ = 0); pixels of class
    /// <see cref="PixelClass.Unknown"/> or <see cref="PixelClass.HeldOut"/> are left untouched (free). When
    /// <paramref name="metrics"/> is set the sums of <see cref="FourierMetrics"/> are accumulated from the values before
    /// projection in the same pass; otherwise the returned value is all zero.
    /// </summary>
    /// <param name="psi">Fourier-space wave, modified in place when projecting.</param>
    /// <param name="observedAmplitude">√(observed intensity), 0 where not measured.</param>
    /// <param name="pixelClass">One <see cref="PixelClass"/> value per pixel.</param>
    /// <param name="project">Impose the observed amplitude.</param>
    /// <param name="metrics">Accumulate the log-likelihood sums.</param>
    FourierMetrics ProjectModulus(ComplexBuffer psi, RealBuffer observedAmplitude, MaskBuffer pixelClass, bool project, bool metrics);

    /// <summary>
    /// The fused real-space update of one cycle (see <see cref="ObjectUpdate"/>): <paramref name="current"/> holds P_M ψ on
    /// entry and ψ' on return; <paramref name="previous"/> holds ψ on entry and ψ' on return (it may be null for error
    /// reduction and charge flipping, which do not read it).
    /// </summary>
    void UpdateObject(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, ObjectUpdate update);

    /// <summary>dst ← |src|.</summary>
    void Amplitude(ComplexBuffer source, RealBuffer destination);

    /// <summary>Separable Gaussian blur of standard deviation <paramref name="sigma"/> pixels along every axis, periodic boundaries, in place; no-op when sigma ≤ 0.</summary>
    void GaussianBlur(RealBuffer data, float sigma);

    /// <summary>Largest value.</summary>
    float Max(RealBuffer data);

    /// <summary>Σ x² over the pixels where <paramref name="where"/> is non-zero (all pixels when null), and their count.</summary>
    (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where);

    /// <summary>mask ← (data ≥ level) ? 1 : 0; returns the number of ones.</summary>
    long Threshold(RealBuffer data, float level, MaskBuffer mask);

    /// <summary>Number of non-zero bytes.</summary>
    long Count(MaskBuffer mask);

    /// <summary>Σ|ψ|² inside and outside <paramref name="support"/>.</summary>
    SupportEnergy Energy(ComplexBuffer data, MaskBuffer support);
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
