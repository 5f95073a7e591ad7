using System.Numerics;
using System.Runtime.InteropServices;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// The buffers one cycle must touch at least once, per pixel: complex64 arrays read and written, float32 arrays read
/// (and written), byte arrays read (and written). <see cref="BytesPerPixel"/> is the byte model: each read counts its
/// size once, each write once more.
/// </summary>
/// <param name="Name">Short description, e.g. <c>ψ,ψprev rw + amp,class,support r</c>.</param>
internal sealed record BufferLayout(string Name, int ComplexReadWrite, int RealRead, int RealReadWrite, int ByteRead, int ByteReadWrite)
{
    /// <summary>ER: ψ read + written, observed amplitude, pixel class and support read (22 B/px).</summary>
    public static BufferLayout ErrorReduction { get; } = new("ψ rw, amp/class/support r", 1, 1, 0, 2, 0);

    /// <summary>HIO, RAAR: ψ and the previous ψ read + written, amplitude, class and support read (38 B/px).</summary>
    public static BufferLayout Feedback { get; } = new("ψ/ψprev rw, amp/class/support r", 2, 1, 0, 2, 0);

    /// <summary>Support update: ψ read as complex (its amplitude), a float scratch written and read, the support read and written (18 B/px).</summary>
    public static BufferLayout SupportUpdate { get; } = new("ψ r, scratch rw, support rw", 0, 2, 1, 0, 1);

    /// <summary>Bytes per pixel of the byte model.</summary>
    public int BytesPerPixel => (16 * ComplexReadWrite) + (4 * RealRead) + (8 * RealReadWrite) + ByteRead + (2 * ByteReadWrite);
}

/// <summary>
/// One streaming pass over buffers of <see cref="BufferLayout"/> for <c>pixels</c> pixels: a fused SIMD
/// read-modify-write (every byte, float and complex vector loaded once, the written ones stored once), split in chunks
/// over the threads. Its time is the memory part of the floor a cycle cannot beat without touching less memory.
/// The support-update layout reads ψ as its first two float arrays (8 B/px).
/// </summary>
internal sealed unsafe class MemoryFloor : IDisposable
{
    private const long ChunkPixels = 1 << 16;
    private readonly BufferLayout layout;
    private readonly long pixels;
    private readonly float*[] complexes;
    private readonly float*[] reals;
    private readonly float*[] realsWritten;
    private readonly byte*[] bytes;
    private readonly byte*[] bytesWritten;
    private readonly ParallelOptions parallel;
    private readonly int chunks;

    public MemoryFloor(BufferLayout layout, long pixels, int threads)
    {
        this.layout = layout;
        this.pixels = pixels;
        complexes = Allocate<float>(layout.ComplexReadWrite, 2 * pixels, 0.5f);
        reals = Allocate<float>(layout.RealRead, pixels, 1f);
        realsWritten = Allocate<float>(layout.RealReadWrite, pixels, 1f);
        bytes = Allocate<byte>(layout.ByteRead, pixels, 1);
        bytesWritten = Allocate<byte>(layout.ByteReadWrite, pixels, 1);
        parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        chunks = (int)((pixels + ChunkPixels - 1) / ChunkPixels);
    }

    public string Name => $"{layout.Name} = {layout.BytesPerPixel} B/px";

    /// <summary>One pass over every buffer.</summary>
    public void Pass() => Parallel.For(0, chunks, parallel, Chunk);

    public void Dispose()
    {
        foreach (var group in new[] { complexes, reals, realsWritten })
        {
            foreach (var p in group)
            {
                NativeMemory.AlignedFree(p);
            }
        }

        foreach (var group in new[] { bytes, bytesWritten })
        {
            foreach (var p in group)
            {
                NativeMemory.AlignedFree(p);
            }
        }
    }

    private static T*[] Allocate<T>(int count, long length, T value)
        where T : unmanaged
    {
        var result = new T*[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = (T*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(T)), 64);
            new Span<T>(result[i], checked((int)length)).Fill(value);
        }

        return result;
    }

    private void Chunk(int chunk)
    {
        var start = chunk * ChunkPixels;
        var end = Math.Min(pixels, start + ChunkPixels);
        var w = Vector<float>.Count;
        var block = Vector<byte>.Count; // pixels per iteration: 4 float vectors of w pixels
        var half = new Vector<float>(0.5f);
        var small = new Vector<float>(1e-3f);
        var p = start;
        for (; p + block <= end; p += block)
        {
            var m0 = Vector<float>.One;
            var m1 = Vector<float>.One;
            var m2 = Vector<float>.One;
            var m3 = Vector<float>.One;
            for (var k = 0; k < bytes.Length + bytesWritten.Length; k++)
            {
                var source = k < bytes.Length ? bytes[k] : bytesWritten[k - bytes.Length];
                var v = Vector.Load(source + p);
                Vector.Widen(v, out var lo, out var hi);
                Vector.Widen(lo, out var a, out var b);
                Vector.Widen(hi, out var c, out var d);
                m0 += Vector.ConvertToSingle(a);
                m1 += Vector.ConvertToSingle(b);
                m2 += Vector.ConvertToSingle(c);
                m3 += Vector.ConvertToSingle(d);
                if (k >= bytes.Length)
                {
                    Vector.Store(Vector.Min(v, Vector<byte>.One), source + p);
                }
            }

            var r0 = Vector<float>.Zero;
            var r1 = Vector<float>.Zero;
            var r2 = Vector<float>.Zero;
            var r3 = Vector<float>.Zero;
            for (var k = 0; k < reals.Length; k++)
            {
                // The support-update layout reads ψ through two of these arrays: 8 B/px like a complex read.
                var source = reals[k] + p;
                r0 += Vector.Load(source) * m0;
                r1 += Vector.Load(source + w) * m1;
                r2 += Vector.Load(source + (2 * w)) * m2;
                r3 += Vector.Load(source + (3 * w)) * m3;
            }

            for (var k = 0; k < realsWritten.Length; k++)
            {
                var target = realsWritten[k] + p;
                Vector.Store((Vector.Load(target) * half) + (r0 * small) + half, target);
                Vector.Store((Vector.Load(target + w) * half) + (r1 * small) + half, target + w);
                Vector.Store((Vector.Load(target + (2 * w)) * half) + (r2 * small) + half, target + (2 * w));
                Vector.Store((Vector.Load(target + (3 * w)) * half) + (r3 * small) + half, target + (3 * w));
            }

            for (var k = 0; k < complexes.Length; k++)
            {
                var target = complexes[k] + (2 * p);
                Vector.Store((Vector.Load(target + (0 * w)) * half) + (r0 * small) + small, target + (0 * w));
                Vector.Store((Vector.Load(target + (1 * w)) * half) + (r0 * small) + small, target + (1 * w));
                Vector.Store((Vector.Load(target + (2 * w)) * half) + (r1 * small) + small, target + (2 * w));
                Vector.Store((Vector.Load(target + (3 * w)) * half) + (r1 * small) + small, target + (3 * w));
                Vector.Store((Vector.Load(target + (4 * w)) * half) + (r2 * small) + small, target + (4 * w));
                Vector.Store((Vector.Load(target + (5 * w)) * half) + (r2 * small) + small, target + (5 * w));
                Vector.Store((Vector.Load(target + (6 * w)) * half) + (r3 * small) + small, target + (6 * w));
                Vector.Store((Vector.Load(target + (7 * w)) * half) + (r3 * small) + small, target + (7 * w));
            }
        }

        for (; p < end; p++)
        {
            var m = 1f;
            foreach (var b in bytes)
            {
                m += b[p];
            }

            foreach (var b in bytesWritten)
            {
                m += b[p];
                b[p] = Math.Min(b[p], (byte)1);
            }

            var r = 0f;
            foreach (var a in reals)
            {
                r += a[p] * m;
            }

            foreach (var a in realsWritten)
            {
                a[p] = (a[p] * 0.5f) + (r * 1e-3f) + 0.5f;
            }

            foreach (var c in complexes)
            {
                c[2 * p] = (c[2 * p] * 0.5f) + (r * 1e-3f) + 1e-3f;
                c[(2 * p) + 1] = (c[(2 * p) + 1] * 0.5f) + (r * 1e-3f) + 1e-3f;
            }
        }
    }
}
