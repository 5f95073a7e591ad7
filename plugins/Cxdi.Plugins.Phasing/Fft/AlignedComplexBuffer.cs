using System.Runtime.InteropServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// A zero-initialised block of native memory holding complex64 values, aligned to <see cref="Alignment"/> bytes so that
/// FFTW plans (made on equally aligned scratch) run on it directly and SIMD loads never straddle cache lines. Phasing
/// keeps its per-run arrays in these. Not thread-safe to dispose while in use; the memory is freed by
/// <see cref="Dispose"/> or, if forgotten, by the finaliser.
/// </summary>
internal sealed unsafe partial class AlignedComplexBuffer : IDisposable
{
    /// <summary>Byte alignment of every buffer (a cache line; at least what any FFTW build asks for).</summary>
    public const int Alignment = 64;

    /// <summary>Buffers of at least this many bytes are placed on 2 MiB boundaries and offered transparent huge pages.</summary>
    private const int HugePageBytes = 2 << 20;

    private Complex32* _pointer;

    /// <summary>Allocates <paramref name="length"/> complex values, all zero.</summary>
    public AlignedComplexBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        nuint bytes = (nuint)Math.Max(1, length) * (nuint)sizeof(Complex32);
        if (bytes >= 2 * HugePageBytes && OperatingSystem.IsLinux())
        {
            // Strided FFT passes touch one cache line per row: with 4 KiB pages every row is a TLB miss, with 2 MiB
            // pages a whole plane shares a few entries. madvise is advice only; its failure changes nothing else.
            nuint rounded = (bytes + HugePageBytes - 1) & ~(nuint)(HugePageBytes - 1);
            _pointer = (Complex32*)NativeMemory.AlignedAlloc(rounded, HugePageBytes);
            _ = Madvise(_pointer, rounded, AdviseHugePage);
        }
        else
        {
            _pointer = (Complex32*)NativeMemory.AlignedAlloc(bytes, Alignment);
        }

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

    /// <summary>MADV_HUGEPAGE on Linux.</summary>
    private const int AdviseHugePage = 14;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);

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
