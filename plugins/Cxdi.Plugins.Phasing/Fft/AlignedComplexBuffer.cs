using System.Runtime.InteropServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// A zero-initialised block of native memory holding complex64 values, aligned to <see cref="Alignment"/> bytes so that
/// FFTW plans (made on equally aligned scratch) run on it directly and SIMD loads never straddle cache lines. Phasing
/// keeps its per-run arrays in these. Not thread-safe to dispose while in use; the memory is freed by
/// <see cref="Dispose"/> or, if forgotten, by the finaliser.
/// </summary>
internal sealed unsafe class AlignedComplexBuffer : IDisposable
{
    /// <summary>Byte alignment of every buffer (a cache line; at least what any FFTW build asks for).</summary>
    public const int Alignment = 64;

    private Complex32* _pointer;

    /// <summary>Allocates <paramref name="length"/> complex values, all zero.</summary>
    public AlignedComplexBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        nuint bytes = (nuint)Math.Max(1, length) * (nuint)sizeof(Complex32);
        _pointer = (Complex32*)NativeMemory.AlignedAlloc(bytes, Alignment);
        NativeMemory.Clear(_pointer, bytes);
        if (bytes > 1 << 20)
        {
            GC.AddMemoryPressure((long)bytes);
        }
    }

    /// <summary>Allocates a buffer for every element of <paramref name="shape"/>.</summary>
    public AlignedComplexBuffer(Shape shape)
        : this(checked((int)shape.Length))
    {
    }

    /// <summary>Finalises a buffer that was not disposed.</summary>
    ~AlignedComplexBuffer() => Free();

    /// <summary>Number of complex values.</summary>
    public int Length { get; }

    /// <summary>The values; valid until <see cref="Dispose"/>.</summary>
    public Span<Complex32> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return new Span<Complex32>(_pointer, Length);
        }
    }

    /// <summary>Address of the first value; valid until <see cref="Dispose"/>.</summary>
    public Complex32* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>True when <paramref name="p"/> is aligned like these buffers.</summary>
    public static bool IsAligned(void* p) => ((nuint)p & (Alignment - 1)) == 0;

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_pointer == null)
        {
            return;
        }

        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
        long bytes = (long)Math.Max(1, Length) * sizeof(Complex32);
        if (bytes > 1 << 20)
        {
            GC.RemoveMemoryPressure(bytes);
        }
    }
}
