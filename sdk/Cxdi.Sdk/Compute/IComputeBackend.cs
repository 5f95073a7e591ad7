using Cxdi.Sdk.Data;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Compute;

/// <summary>
/// The core every compute device (CPU cores, a GPU) implements: buffers, transfers, FFT plans and a dozen element-wise
/// primitives and reductions. Operators that use only these run on any backend; the fused kernels of
/// <see cref="IComputeBackend"/> have managed defaults written over this core in <see cref="ComputeBackendBase"/>.
/// Buffers and plans belong to the backend that made them.
/// </summary>
public interface IComputeCore : IDisposable
{
    /// <summary>Short name, e.g. <c>cpu</c>, <c>cpu-managed</c>, <c>cuda</c>.</summary>
    string Name { get; }

    /// <summary>Which FFT implementation runs, e.g. <c>FFTW 3.3.10 (2 threads)</c>.</summary>
    string FftName { get; }

    /// <summary>Bytes the device can still allocate for buffers (device memory for a GPU, available RAM for the CPU).</summary>
    long AvailableMemory { get; }

    /// <summary>Allocates a complex64 array of <paramref name="shape"/>, zero-filled.</summary>
    ComplexBuffer AllocateComplex(Shape shape);

    /// <summary>Allocates a float32 array of <paramref name="shape"/>, zero-filled.</summary>
    RealBuffer AllocateReal(Shape shape);

    /// <summary>Allocates a byte array of <paramref name="shape"/>, zero-filled.</summary>
    MaskBuffer AllocateMask(Shape shape);

    /// <summary>Copies host values into a device buffer of the same length.</summary>
    void Upload(ReadOnlySpan<Complex32> source, ComplexBuffer destination);

    /// <summary>Copies host values into a device buffer of the same length.</summary>
    void Upload(ReadOnlySpan<float> source, RealBuffer destination);

    /// <summary>Copies host values into a device buffer of the same length.</summary>
    void Upload(ReadOnlySpan<byte> source, MaskBuffer destination);

    /// <summary>Copies a device buffer into host memory of the same length.</summary>
    void Download(ComplexBuffer source, Span<Complex32> destination);

    /// <summary>Copies a device buffer into host memory of the same length.</summary>
    void Download(RealBuffer source, Span<float> destination);

    /// <summary>Copies a device buffer into host memory of the same length.</summary>
    void Download(MaskBuffer source, Span<byte> destination);

    /// <summary>Creates an in-place FFT plan for <paramref name="shape"/> (2D or 3D, row-major, zero frequency at index 0).</summary>
    FftPlan CreateFftPlan(Shape shape);

    /// <summary>
    /// Transforms <paramref name="data"/> in place with <paramref name="plan"/>: <see cref="FftDirection.Forward"/> is
    /// unscaled, <see cref="FftDirection.Inverse"/> is scaled by 1/N so that inverse(forward(x)) = x.
    /// </summary>
    void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction);

    /// <summary>dst ← src.</summary>
    void Copy(ComplexBuffer source, ComplexBuffer destination);

    /// <summary>data ← factor · data.</summary>
    void Scale(ComplexBuffer data, float factor);

    /// <summary>data ← data · (mask ≠ 0 ? <paramref name="inside"/> : <paramref name="outside"/>); e.g. the support projection is (1, 0), its reflection (1, −1).</summary>
    void Scale(ComplexBuffer data, MaskBuffer mask, float inside, float outside);

    /// <summary>data ← data · factor, element by element, with a real factor.</summary>
    void Multiply(ComplexBuffer data, RealBuffer factor);

    /// <summary>data ← data · factor, element by element, with a complex factor.</summary>
    void Multiply(ComplexBuffer data, ComplexBuffer factor);

    /// <summary>y ← a·x + b·y.</summary>
    void Axpby(float a, ComplexBuffer x, float b, ComplexBuffer y);

    /// <summary>dst ← |src|.</summary>
    void Abs(ComplexBuffer source, RealBuffer destination);

    /// <summary>dst ← |src|².</summary>
    void AbsSquared(ComplexBuffer source, RealBuffer destination);

    /// <summary>mask ← (data ≥ level) ? 1 : 0; returns the number of ones.</summary>
    long Threshold(RealBuffer data, float level, MaskBuffer mask);

    /// <summary>Σ x, accumulated in double.</summary>
    double Sum(RealBuffer data);

    /// <summary>Σ x² over the pixels where <paramref name="where"/> is non-zero (all pixels when null), and their count.</summary>
    (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where);

    /// <summary>Largest value.</summary>
    float Max(RealBuffer data);

    /// <summary>Σ conj(a)·b, accumulated in double.</summary>
    System.Numerics.Complex Dot(ComplexBuffer a, ComplexBuffer b);

    /// <summary>Number of non-zero bytes.</summary>
    long Count(MaskBuffer mask);
}

/// <summary>
/// A compute backend: the <see cref="IComputeCore"/> plus the fused kernels phasing spends its time in. Every fused
/// kernel has a managed default in <see cref="ComputeBackendBase"/> (correct on any backend, through host transfers);
/// a backend overrides the ones it accelerates, one kernel at a time. The contract holds no list of algorithms:
/// object updates are rules (<see cref="IObjectUpdateRule"/>) passed as type parameters.
/// </summary>
public interface IComputeBackend : IComputeCore
{
    /// <summary>
    /// In-place FFT of a host array of <paramref name="shape"/>, same conventions as <see cref="IComputeCore.Fft"/>; for
    /// occasional transforms (autocorrelation, alignment, simulation). Phasing keeps its data on the device.
    /// </summary>
    void Transform(Span<Complex32> data, Shape shape, FftDirection direction);

    /// <summary>
    /// The fused Fourier-space kernel. For each pixel of class <see cref="PixelClass.Measured"/> with observed amplitude
    /// a, when <paramref name="project"/> is set ψ ← a·ψ/|ψ| (ψ ← a where ψ = 0); pixels of class
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
    /// The bounded (soft) constraint at unknown pixels, applied after <see cref="ProjectModulus"/>: for each pixel of class
    /// <see cref="PixelClass.Unknown"/> whose bounds satisfy 0 ≤ lower ≤ upper (NaN where there is no prediction: the pixel
    /// is skipped), |ψ| is clamped into [lower, upper] keeping the phase (ψ ← lower where ψ = 0). Measured and held-out pixels
    /// are never touched. The default implementation runs <see cref="ManagedKernels.ClampAmplitude"/> through host transfers.
    /// </summary>
    /// <param name="psi">Fourier-space wave, modified in place.</param>
    /// <param name="lowerAmplitude">√(lower intensity bound) per pixel, NaN where none.</param>
    /// <param name="upperAmplitude">√(upper intensity bound) per pixel, NaN where none.</param>
    /// <param name="pixelClass">One <see cref="PixelClass"/> value per pixel.</param>
    /// <returns>The number of pixels whose amplitude was changed.</returns>
    long ClampAmplitude(ComplexBuffer psi, RealBuffer lowerAmplitude, RealBuffer upperAmplitude, MaskBuffer pixelClass)
    {
        ArgumentNullException.ThrowIfNull(psi);
        ArgumentNullException.ThrowIfNull(lowerAmplitude);
        ArgumentNullException.ThrowIfNull(upperAmplitude);
        ArgumentNullException.ThrowIfNull(pixelClass);
        var values = new Complex32[psi.Length];
        var lower = new float[lowerAmplitude.Length];
        var upper = new float[upperAmplitude.Length];
        var classes = new byte[pixelClass.Length];
        Download(psi, values);
        Download(lowerAmplitude, lower);
        Download(upperAmplitude, upper);
        Download(pixelClass, classes);
        var changed = ManagedKernels.ClampAmplitude(values, lower, upper, classes);
        if (changed > 0)
        {
            Upload(values, psi);
        }

        return changed;
    }

    /// <summary>
    /// The fused real-space update of one cycle: for every pixel, v = rule.Apply(current, previous, support ≠ 0) is written to
    /// <paramref name="current"/> (which holds P_M ψ on entry) and to <paramref name="previous"/> (which holds ψ on entry;
    /// it may be null when <see cref="IObjectUpdateRule.ReadsPrevious"/> is false).
    /// </summary>
    void UpdateObject<TRule>(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, TRule rule)
        where TRule : struct, IObjectUpdateRule;

    /// <summary>Separable Gaussian blur of standard deviation <paramref name="sigma"/> pixels along every axis, periodic boundaries, in place; no-op when sigma ≤ 0.</summary>
    void GaussianBlur(RealBuffer data, float sigma);

    /// <summary>
    /// Fourier-space Gaussian filter in place: each value of a spectrum in FFT order (zero frequency at index 0) is multiplied
    /// by exp(−k²/(2σ²)), k being the distance to zero frequency in frequency pixels; no-op when sigma is infinite.
    /// </summary>
    void GaussianFourierFilter(ComplexBuffer spectrum, float sigma);

    /// <summary>Σ|ψ|² inside and outside <paramref name="support"/>.</summary>
    SupportEnergy Energy(ComplexBuffer data, MaskBuffer support);
}

/// <summary>
/// A backend whose capacity is a number of CPU threads that can be split, so independent runs proceed side by side on
/// forks of it. Backends without it run one random start at a time (a GPU backend may implement it with streams).
/// </summary>
public interface IThreadedBackend
{
    /// <summary>Threads (or streams) this backend's kernels and FFTs may use.</summary>
    int Threads { get; }

    /// <summary>A backend on the same device using at most <paramref name="threads"/> threads; dispose it after use.</summary>
    IComputeBackend Fork(int threads);
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
