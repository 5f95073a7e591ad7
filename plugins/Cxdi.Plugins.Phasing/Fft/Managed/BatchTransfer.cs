using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft.Managed;

/// <summary>
/// Moves a batch of up to <see cref="Vector{T}.Count"/> lines between the interleaved array and the split layout of
/// <see cref="StockhamKernels"/>. Line l (lane l) starts at <c>line0 + l·laneStride</c> and its element j lies
/// <c>j·elementStride</c> further. Loading can conjugate (inverse transforms run as conj∘forward∘conj); storing can
/// conjugate and scale. Lanes beyond <c>lanes</c> are zero on load and ignored on store. When the lanes are adjacent
/// values (laneStride 1, a full batch, AVX) a fast path deinterleaves 8 complex values with two shuffles; lanes then
/// sit in a permuted order, which the matching store undoes, so both ends must pass the same arguments.
/// </summary>
internal static unsafe class BatchTransfer
{
    /// <summary>Copies <paramref name="count"/> elements of the batch into <paramref name="batch"/>.</summary>
    public static void Load(Complex32* line0, nint laneStride, nint elementStride, int lanes, int count, float* batch, bool conjugate)
    {
        int l = Vector<float>.Count, e = 2 * l;
        if (UseAdjacentPath(laneStride, lanes))
        {
            Vector256<float> sign = conjugate ? Vector256.Create(-1f) : Vector256.Create(1f);
            for (int j = 0; j < count; j++)
            {
                float* src = (float*)(line0 + (j * elementStride));
                Vector256<float> a = Vector256.Load(src), b = Vector256.Load(src + 8);
                float* dst = batch + (j * e);
                Avx.Shuffle(a, b, 0x88).Store(dst);
                (Avx.Shuffle(a, b, 0xDD) * sign).Store(dst + 8);
            }

            return;
        }

        float imSign = conjugate ? -1f : 1f;
        for (int lane = 0; lane < l; lane++)
        {
            float* dst = batch + lane;
            if (lane >= lanes)
            {
                for (int j = 0; j < count; j++)
                {
                    dst[j * e] = 0;
                    dst[(j * e) + l] = 0;
                }

                continue;
            }

            Complex32* src = line0 + (lane * laneStride);
            for (int j = 0; j < count; j++)
            {
                Complex32 v = src[j * elementStride];
                dst[j * e] = v.Re;
                dst[(j * e) + l] = imSign * v.Im;
            }
        }
    }

    /// <summary>Copies <paramref name="count"/> elements of <paramref name="batch"/> back to the array, times <paramref name="scale"/>.</summary>
    public static void Store(float* batch, Complex32* line0, nint laneStride, nint elementStride, int lanes, int count, bool conjugate, float scale)
    {
        int l = Vector<float>.Count, e = 2 * l;
        if (UseAdjacentPath(laneStride, lanes))
        {
            Vector256<float> re = Vector256.Create(scale), im = Vector256.Create(conjugate ? -scale : scale);
            for (int j = 0; j < count; j++)
            {
                float* src = batch + (j * e);
                Vector256<float> r = Vector256.Load(src) * re, i = Vector256.Load(src + 8) * im;
                float* dst = (float*)(line0 + (j * elementStride));
                Avx.UnpackLow(r, i).Store(dst);
                Avx.UnpackHigh(r, i).Store(dst + 8);
            }

            return;
        }

        float imScale = conjugate ? -scale : scale;
        for (int lane = 0; lane < lanes; lane++)
        {
            float* src = batch + lane;
            Complex32* dst = line0 + (lane * laneStride);
            for (int j = 0; j < count; j++)
            {
                dst[j * elementStride] = new Complex32(src[j * e] * scale, src[(j * e) + l] * imScale);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UseAdjacentPath(nint laneStride, int lanes) =>
        Avx.IsSupported && Vector<float>.Count == 8 && laneStride == 1 && lanes == 8;
}
