using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft.Managed;

/// <summary>
/// Moves a batch of up to <see cref="Vector{T}.Count"/> lines between the interleaved array and the split layout of
/// <see cref="StockhamKernels"/>. Line l starts at <c>line0 + l·laneStride</c> and its element j lies
/// <c>j·elementStride</c> further. Loading can conjugate (inverse transforms run as conj∘forward∘conj); storing can
/// conjugate and scale. Lanes beyond <c>lanes</c> are zero on load and ignored on store.
/// </summary>
/// <remarks>
/// With AVX and 8 lanes, two fast paths deinterleave 8 complex values with two shuffles: adjacent lines (columns,
/// planes: 64 contiguous bytes per element) and contiguous lines (rows: an 8×4 block of complex values is transposed
/// in registers first). The shuffles leave line <see cref="LineOfLane"/>[p] in lane p; every path, the scalar one
/// included, uses that same order, so the lines never mix whichever path loads or stores an element.
/// </remarks>
internal static unsafe class BatchTransfer
{
    private static readonly bool Fast = Avx.IsSupported && Vector<float>.Count == 8;

    /// <summary>Which line sits in each lane.</summary>
    private static readonly int[] LineOfLane = Fast ? [0, 1, 4, 5, 2, 3, 6, 7] : [.. Enumerable.Range(0, Vector<float>.Count)];

    /// <summary>Copies <paramref name="count"/> elements of the batch into <paramref name="batch"/>.</summary>
    public static void Load(Complex32* line0, nint laneStride, nint elementStride, int lanes, int count, float* batch, bool conjugate)
    {
        int done = 0;
        if (Fast && lanes == 8)
        {
            Vector256<float> sign = conjugate ? Vector256.Create(-1f) : Vector256<float>.One;
            if (laneStride == 1)
            {
                for (int j = 0; j < count; j++)
                {
                    float* src = (float*)(line0 + (j * elementStride));
                    Deinterleave(Vector256.Load(src), Vector256.Load(src + 8), batch + (j * 16), sign);
                }

                return;
            }

            if (elementStride == 1)
            {
                done = count & ~3;
                for (int j = 0; j < done; j += 4)
                {
                    double* p = (double*)(line0 + j);
                    Transpose4(
                        Vector256.Load(p), Vector256.Load(p + laneStride), Vector256.Load(p + (2 * laneStride)), Vector256.Load(p + (3 * laneStride)),
                        out Vector256<double> a0, out Vector256<double> a1, out Vector256<double> a2, out Vector256<double> a3);
                    p += 4 * laneStride;
                    Transpose4(
                        Vector256.Load(p), Vector256.Load(p + laneStride), Vector256.Load(p + (2 * laneStride)), Vector256.Load(p + (3 * laneStride)),
                        out Vector256<double> b0, out Vector256<double> b1, out Vector256<double> b2, out Vector256<double> b3);
                    float* dst = batch + (j * 16);
                    Deinterleave(a0.AsSingle(), b0.AsSingle(), dst, sign);
                    Deinterleave(a1.AsSingle(), b1.AsSingle(), dst + 16, sign);
                    Deinterleave(a2.AsSingle(), b2.AsSingle(), dst + 32, sign);
                    Deinterleave(a3.AsSingle(), b3.AsSingle(), dst + 48, sign);
                }
            }
        }

        LoadScalar(line0, laneStride, elementStride, lanes, done, count, batch, conjugate);
    }

    /// <summary>Copies <paramref name="count"/> elements of <paramref name="batch"/> back to the array, times <paramref name="scale"/>.</summary>
    public static void Store(float* batch, Complex32* line0, nint laneStride, nint elementStride, int lanes, int count, bool conjugate, float scale)
    {
        int done = 0;
        if (Fast && lanes == 8)
        {
            Vector256<float> re = Vector256.Create(scale), im = Vector256.Create(conjugate ? -scale : scale);
            if (laneStride == 1)
            {
                for (int j = 0; j < count; j++)
                {
                    float* src = batch + (j * 16);
                    float* dst = (float*)(line0 + (j * elementStride));
                    Vector256<float> r = Vector256.Load(src) * re, i = Vector256.Load(src + 8) * im;
                    Avx.UnpackLow(r, i).Store(dst);
                    Avx.UnpackHigh(r, i).Store(dst + 8);
                }

                return;
            }

            if (elementStride == 1)
            {
                done = count & ~3;
                for (int j = 0; j < done; j += 4)
                {
                    float* src = batch + (j * 16);
                    Interleave(src, re, im, out Vector256<double> a0, out Vector256<double> b0);
                    Interleave(src + 16, re, im, out Vector256<double> a1, out Vector256<double> b1);
                    Interleave(src + 32, re, im, out Vector256<double> a2, out Vector256<double> b2);
                    Interleave(src + 48, re, im, out Vector256<double> a3, out Vector256<double> b3);
                    double* p = (double*)(line0 + j);
                    Transpose4(a0, a1, a2, a3, out Vector256<double> r0, out Vector256<double> r1, out Vector256<double> r2, out Vector256<double> r3);
                    r0.Store(p);
                    r1.Store(p + laneStride);
                    r2.Store(p + (2 * laneStride));
                    r3.Store(p + (3 * laneStride));
                    p += 4 * laneStride;
                    Transpose4(b0, b1, b2, b3, out r0, out r1, out r2, out r3);
                    r0.Store(p);
                    r1.Store(p + laneStride);
                    r2.Store(p + (2 * laneStride));
                    r3.Store(p + (3 * laneStride));
                }
            }
        }

        StoreScalar(batch, line0, laneStride, elementStride, lanes, done, count, conjugate, scale);
    }

    /// <summary>True when <see cref="LoadAdjacent"/> and <see cref="StoreAdjacent"/> can move full batches of adjacent lines.</summary>
    public static bool HasAdjacentPath => Fast;

    /// <summary>
    /// Loads <paramref name="batches"/> full batches of adjacent lines (8·batches consecutive values per element, so a
    /// strided sweep reads 64·batches contiguous bytes per row) into <paramref name="destinations"/>; same layout as
    /// <see cref="Load"/> with laneStride 1.
    /// </summary>
    public static void LoadAdjacent(Complex32* line0, nint elementStride, int batches, int count, float** destinations, bool conjugate)
    {
        Vector256<float> sign = conjugate ? Vector256.Create(-1f) : Vector256<float>.One;
        for (int j = 0; j < count; j++)
        {
            float* src = (float*)(line0 + (j * elementStride));
            for (int g = 0; g < batches; g++)
            {
                Deinterleave(Vector256.Load(src + (16 * g)), Vector256.Load(src + (16 * g) + 8), destinations[g] + (j * 16), sign);
            }
        }
    }

    /// <summary>Inverse of <see cref="LoadAdjacent"/>, with scaling and optional conjugation as in <see cref="Store"/>.</summary>
    public static void StoreAdjacent(float** sources, Complex32* line0, nint elementStride, int batches, int count, bool conjugate, float scale)
    {
        Vector256<float> re = Vector256.Create(scale), im = Vector256.Create(conjugate ? -scale : scale);
        for (int j = 0; j < count; j++)
        {
            float* dst = (float*)(line0 + (j * elementStride));
            for (int g = 0; g < batches; g++)
            {
                float* src = sources[g] + (j * 16);
                Vector256<float> r = Vector256.Load(src) * re, i = Vector256.Load(src + 8) * im;
                Avx.UnpackLow(r, i).Store(dst + (16 * g));
                Avx.UnpackHigh(r, i).Store(dst + (16 * g) + 8);
            }
        }
    }

    private static void LoadScalar(Complex32* line0, nint laneStride, nint elementStride, int lanes, int first, int count, float* batch, bool conjugate)
    {
        int l = Vector<float>.Count, e = 2 * l;
        float imSign = conjugate ? -1f : 1f;
        for (int lane = 0; lane < l; lane++)
        {
            int line = LineOfLane[lane];
            float* dst = batch + lane;
            if (line >= lanes)
            {
                for (int j = first; j < count; j++)
                {
                    dst[j * e] = 0;
                    dst[(j * e) + l] = 0;
                }

                continue;
            }

            Complex32* src = line0 + (line * laneStride);
            for (int j = first; j < count; j++)
            {
                Complex32 v = src[j * elementStride];
                dst[j * e] = v.Re;
                dst[(j * e) + l] = imSign * v.Im;
            }
        }
    }

    private static void StoreScalar(float* batch, Complex32* line0, nint laneStride, nint elementStride, int lanes, int first, int count, bool conjugate, float scale)
    {
        int l = Vector<float>.Count, e = 2 * l;
        float imScale = conjugate ? -scale : scale;
        for (int lane = 0; lane < l; lane++)
        {
            int line = LineOfLane[lane];
            if (line >= lanes)
            {
                continue;
            }

            float* src = batch + lane;
            Complex32* dst = line0 + (line * laneStride);
            for (int j = first; j < count; j++)
            {
                dst[j * elementStride] = new Complex32(src[j * e] * scale, src[(j * e) + l] * imScale);
            }
        }
    }

    /// <summary>Real parts of the 8 complex values in (a, b) to <paramref name="destination"/>, imaginary parts (times sign) after them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Deinterleave(Vector256<float> a, Vector256<float> b, float* destination, Vector256<float> sign)
    {
        Avx.Shuffle(a, b, 0x88).Store(destination);
        (Avx.Shuffle(a, b, 0xDD) * sign).Store(destination + 8);
    }

    /// <summary>Inverse of <see cref="Deinterleave"/>, with the real and imaginary parts scaled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(float* source, Vector256<float> re, Vector256<float> im, out Vector256<double> a, out Vector256<double> b)
    {
        Vector256<float> r = Vector256.Load(source) * re, i = Vector256.Load(source + 8) * im;
        a = Avx.UnpackLow(r, i).AsDouble();
        b = Avx.UnpackHigh(r, i).AsDouble();
    }

    /// <summary>Transposes a 4×4 block of 64-bit values (one complex64 each): row k of the output is column k of the input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(
        Vector256<double> r0, Vector256<double> r1, Vector256<double> r2, Vector256<double> r3,
        out Vector256<double> c0, out Vector256<double> c1, out Vector256<double> c2, out Vector256<double> c3)
    {
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        c0 = Avx.Permute2x128(t0, t2, 0x20);
        c1 = Avx.Permute2x128(t1, t3, 0x20);
        c2 = Avx.Permute2x128(t0, t2, 0x31);
        c3 = Avx.Permute2x128(t1, t3, 0x31);
    }
}
