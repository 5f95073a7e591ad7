using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// An in-place complex64 FFT for one shape (2D or 3D, row-major, zero frequency at index 0). Forward is unscaled,
/// Inverse is scaled by 1/N so that Inverse(Forward(x)) = x. An engine may be used by one thread at a time; it may use
/// several threads internally (see <see cref="Threads"/>).
/// </summary>
internal interface IFftEngine : IDisposable
{
    /// <summary>The shape this engine transforms.</summary>
    Shape Shape { get; }

    /// <summary>Implementation and threads, e.g. "FFTW 3.3.10, 2 threads" or "managed mixed-radix, SIMD 256".</summary>
    string Name { get; }

    /// <summary>Threads used inside one transform.</summary>
    int Threads { get; }

    /// <summary>In-place forward transform, unscaled.</summary>
    void Forward(Span<Complex32> data);

    /// <summary>In-place inverse transform, scaled by 1/N.</summary>
    void Inverse(Span<Complex32> data);
}
