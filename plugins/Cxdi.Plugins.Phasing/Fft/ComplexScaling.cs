using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>SIMD passes used around transforms: the 1/N scaling of inverse transforms, alone or fused with a copy.</summary>
internal static unsafe class ComplexScaling
{
    /// <summary>Values below which a scaling pass stays on the calling thread.</summary>
    private const int ParallelThreshold = 1 << 18;

    /// <summary>
    /// Multiplies the <paramref name="length"/> values at <paramref name="data"/> (pinned or native memory) by
    /// <paramref name="scale"/>, splitting large arrays over up to <paramref name="threads"/> threads.
    /// </summary>
    public static void Scale(Complex32* data, int length, float scale, int threads)
    {
        if (threads <= 1 || length < ParallelThreshold)
        {
            Scale(new Span<Complex32>(data, length), scale);
            return;
        }

        ScaleInParallel((nint)data, length, scale, threads);
    }

    /// <summary>The parallel branch of <see cref="Scale(Complex32*, int, float, int)"/>, apart so its closure is not allocated on the serial path.</summary>
    private static void ScaleInParallel(nint address, int length, float scale, int threads)
    {
        int chunk = (((length + threads - 1) / threads) + 15) & ~15;
        int chunks = (length + chunk - 1) / chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int start = c * chunk;
            Scale(new Span<Complex32>((Complex32*)address + start, Math.Min(chunk, length - start)), scale);
        });
    }

    /// <summary>Multiplies every value of <paramref name="data"/> by the real <paramref name="scale"/>.</summary>
    public static void Scale(Span<Complex32> data, float scale)
    {
        Span<float> f = MemoryMarshal.Cast<Complex32, float>(data);
        ref float r = ref MemoryMarshal.GetReference(f);
        int n = f.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(scale);
            for (; i <= n - 32; i += 32)
            {
                (Vector256.LoadUnsafe(ref r, (nuint)i) * s).StoreUnsafe(ref r, (nuint)i);
                (Vector256.LoadUnsafe(ref r, (nuint)(i + 8)) * s).StoreUnsafe(ref r, (nuint)(i + 8));
                (Vector256.LoadUnsafe(ref r, (nuint)(i + 16)) * s).StoreUnsafe(ref r, (nuint)(i + 16));
                (Vector256.LoadUnsafe(ref r, (nuint)(i + 24)) * s).StoreUnsafe(ref r, (nuint)(i + 24));
            }

            for (; i <= n - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref r, (nuint)i) * s).StoreUnsafe(ref r, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> s = Vector128.Create(scale);
            for (; i <= n - 4; i += 4)
            {
                (Vector128.LoadUnsafe(ref r, (nuint)i) * s).StoreUnsafe(ref r, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref r, i) *= scale;
        }
    }

    /// <summary>Writes <paramref name="source"/> × <paramref name="scale"/> into <paramref name="destination"/> (same length).</summary>
    public static void ScaleCopy(ReadOnlySpan<Complex32> source, Span<Complex32> destination, float scale)
    {
        if (source.Length != destination.Length)
        {
            throw new ArgumentException("source and destination differ in length", nameof(destination));
        }

        ReadOnlySpan<float> a = MemoryMarshal.Cast<Complex32, float>(source);
        Span<float> b = MemoryMarshal.Cast<Complex32, float>(destination);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        int n = a.Length;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(scale);
            for (; i <= n - 8; i += 8)
            {
                (Vector256.LoadUnsafe(ref ra, (nuint)i) * s).StoreUnsafe(ref rb, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref rb, i) = Unsafe.Add(ref ra, i) * scale;
        }
    }
}
