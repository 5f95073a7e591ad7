using System.Numerics;
using System.Runtime.CompilerServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft.Managed;

/// <summary>
/// One Stockham (autosort, decimation in frequency) stage of a forward FFT, applied to a batch of
/// <see cref="Vector{T}.Count"/> independent lines at once. Batch buffers hold element e (0 ≤ e &lt; n) of every line
/// at floats [e·E, e·E + E) with E = 2·lanes: first the real parts of all lines, then the imaginary parts ("split"
/// layout), so every butterfly is plain vertical SIMD arithmetic with twiddles broadcast from a table, and complex
/// products need no shuffles.
/// </summary>
/// <remarks>
/// A stage of radix p with stride s and m = (current length)/p reads x[k + s(q + m·j)] for j &lt; p and writes
/// y[k + s(p·q + r)] = ω_{p·m}^{q·r} · Σ_j x_j ω_p^{j·r}; its twiddle table holds ω_{p·m}^{q·r} at [q(p−1) + r − 1].
/// </remarks>
internal static unsafe class StockhamKernels
{
    /// <summary>Floats per batch element: real parts then imaginary parts of all lanes.</summary>
    public static int ElementFloats => 2 * Vector<float>.Count;

    /// <summary>Radix-2 stage.</summary>
    public static void Radix2(float* x, float* y, int s, int m, Complex32* twiddles)
    {
        int e = ElementFloats, l = Vector<float>.Count;
        nint span = (nint)s * e;
        for (int q = 0; q < m; q++)
        {
            float* x0 = x + (q * span);
            float* x1 = x0 + (m * span);
            float* y0 = y + (2 * q * span);
            float* y1 = y0 + span;
            Complex32 w = twiddles[q];
            var wr = new Vector<float>(w.Re);
            var wi = new Vector<float>(w.Im);
            for (nint k = 0; k < span; k += e)
            {
                Vector<float> ar = Vector.Load(x0 + k), ai = Vector.Load(x0 + k + l);
                Vector<float> br = Vector.Load(x1 + k), bi = Vector.Load(x1 + k + l);
                (ar + br).Store(y0 + k);
                (ai + bi).Store(y0 + k + l);
                Vector<float> dr = ar - br, di = ai - bi;
                StoreProduct(y1 + k, l, dr, di, wr, wi);
            }
        }
    }

    /// <summary>Radix-3 stage.</summary>
    public static void Radix3(float* x, float* y, int s, int m, Complex32* twiddles)
    {
        int e = ElementFloats, l = Vector<float>.Count;
        nint span = (nint)s * e;
        var half = new Vector<float>(0.5f);
        var sin60 = new Vector<float>(0.866025403784438647f);
        for (int q = 0; q < m; q++)
        {
            float* x0 = x + (q * span);
            float* x1 = x0 + (m * span);
            float* x2 = x1 + (m * span);
            float* y0 = y + (3 * q * span);
            float* y1 = y0 + span;
            float* y2 = y1 + span;
            Complex32* w = twiddles + (2 * q);
            Vector<float> w1r = new(w[0].Re), w1i = new(w[0].Im), w2r = new(w[1].Re), w2i = new(w[1].Im);
            for (nint k = 0; k < span; k += e)
            {
                Vector<float> ar = Vector.Load(x0 + k), ai = Vector.Load(x0 + k + l);
                Vector<float> br = Vector.Load(x1 + k), bi = Vector.Load(x1 + k + l);
                Vector<float> cr = Vector.Load(x2 + k), ci = Vector.Load(x2 + k + l);
                Vector<float> sr = br + cr, si = bi + ci;
                Vector<float> dr = (br - cr) * sin60, di = (bi - ci) * sin60;
                (ar + sr).Store(y0 + k);
                (ai + si).Store(y0 + k + l);
                Vector<float> tr = ar - (sr * half), ti = ai - (si * half);

                // X1 = t − i·d, X2 = t + i·d (forward: ω₃ = −1/2 − i·√3/2).
                StoreProduct(y1 + k, l, tr + di, ti - dr, w1r, w1i);
                StoreProduct(y2 + k, l, tr - di, ti + dr, w2r, w2i);
            }
        }
    }

    /// <summary>Radix-4 stage.</summary>
    public static void Radix4(float* x, float* y, int s, int m, Complex32* twiddles)
    {
        int e = ElementFloats, l = Vector<float>.Count;
        nint span = (nint)s * e;
        for (int q = 0; q < m; q++)
        {
            float* x0 = x + (q * span);
            float* x1 = x0 + (m * span);
            float* x2 = x1 + (m * span);
            float* x3 = x2 + (m * span);
            float* y0 = y + (4 * q * span);
            float* y1 = y0 + span;
            float* y2 = y1 + span;
            float* y3 = y2 + span;
            if (q == 0)
            {
                for (nint k = 0; k < span; k += e)
                {
                    Butterfly4(x0 + k, x1 + k, x2 + k, x3 + k, l, out var z0r, out var z0i, out var z1r, out var z1i, out var z2r, out var z2i, out var z3r, out var z3i);
                    z0r.Store(y0 + k);
                    z0i.Store(y0 + k + l);
                    z1r.Store(y1 + k);
                    z1i.Store(y1 + k + l);
                    z2r.Store(y2 + k);
                    z2i.Store(y2 + k + l);
                    z3r.Store(y3 + k);
                    z3i.Store(y3 + k + l);
                }

                continue;
            }

            Complex32* w = twiddles + (3 * q);
            Vector<float> w1r = new(w[0].Re), w1i = new(w[0].Im), w2r = new(w[1].Re), w2i = new(w[1].Im), w3r = new(w[2].Re), w3i = new(w[2].Im);
            for (nint k = 0; k < span; k += e)
            {
                Butterfly4(x0 + k, x1 + k, x2 + k, x3 + k, l, out var z0r, out var z0i, out var z1r, out var z1i, out var z2r, out var z2i, out var z3r, out var z3i);
                z0r.Store(y0 + k);
                z0i.Store(y0 + k + l);
                StoreProduct(y1 + k, l, z1r, z1i, w1r, w1i);
                StoreProduct(y2 + k, l, z2r, z2i, w2r, w2i);
                StoreProduct(y3 + k, l, z3r, z3i, w3r, w3i);
            }
        }
    }

    /// <summary>
    /// Radix-8 stage: a radix-2 step across halves with the ω₈ᵏ rotations folded in, then two radix-4 butterflies
    /// (even and odd outputs), then the stage twiddles.
    /// </summary>
    public static void Radix8(float* x, float* y, int s, int m, Complex32* twiddles)
    {
        int e = ElementFloats, l = Vector<float>.Count;
        nint span = (nint)s * e;
        nint ms = m * span;
        var h = new Vector<float>(0.707106781186547524f);
        for (int q = 0; q < m; q++)
        {
            float* x0 = x + (q * span);
            float* y0 = y + (8 * q * span);
            Complex32* w = twiddles + (7 * q);
            for (nint k = 0; k < span; k += e)
            {
                float* a = x0 + k;

                // Radix-2 across halves: even part u_k = x_k + x_{k+4}; odd part v_k = (x_k − x_{k+4})·ω₈ᵏ.
                Vector<float> p0r = Vector.Load(a), p0i = Vector.Load(a + l), p4r = Vector.Load(a + (4 * ms)), p4i = Vector.Load(a + (4 * ms) + l);
                Vector<float> u0r = p0r + p4r, u0i = p0i + p4i, v0r = p0r - p4r, v0i = p0i - p4i;
                Vector<float> p1r = Vector.Load(a + ms), p1i = Vector.Load(a + ms + l), p5r = Vector.Load(a + (5 * ms)), p5i = Vector.Load(a + (5 * ms) + l);
                Vector<float> u1r = p1r + p5r, u1i = p1i + p5i, d1r = p1r - p5r, d1i = p1i - p5i;
                Vector<float> v1r = (d1r + d1i) * h, v1i = (d1i - d1r) * h;
                Vector<float> p2r = Vector.Load(a + (2 * ms)), p2i = Vector.Load(a + (2 * ms) + l), p6r = Vector.Load(a + (6 * ms)), p6i = Vector.Load(a + (6 * ms) + l);
                Vector<float> u2r = p2r + p6r, u2i = p2i + p6i, v2r = p2i - p6i, v2i = p6r - p2r;
                Vector<float> p3r = Vector.Load(a + (3 * ms)), p3i = Vector.Load(a + (3 * ms) + l), p7r = Vector.Load(a + (7 * ms)), p7i = Vector.Load(a + (7 * ms) + l);
                Vector<float> u3r = p3r + p7r, u3i = p3i + p7i, d3r = p3r - p7r, d3i = p3i - p7i;
                Vector<float> v3r = (d3i - d3r) * h, v3i = -(d3r + d3i) * h;

                // Even outputs X_{2r} = DFT4(u)_r, odd outputs X_{2r+1} = DFT4(v)_r.
                Vector<float> t0r = u0r + u2r, t0i = u0i + u2i, t1r = u0r - u2r, t1i = u0i - u2i;
                Vector<float> t2r = u1r + u3r, t2i = u1i + u3i, t3r = u1r - u3r, t3i = u1i - u3i;
                if (q == 0)
                {
                    (t0r + t2r).Store(y0 + k);
                    (t0i + t2i).Store(y0 + k + l);
                    (t1r + t3i).Store(y0 + (2 * span) + k);
                    (t1i - t3r).Store(y0 + (2 * span) + k + l);
                    (t0r - t2r).Store(y0 + (4 * span) + k);
                    (t0i - t2i).Store(y0 + (4 * span) + k + l);
                    (t1r - t3i).Store(y0 + (6 * span) + k);
                    (t1i + t3r).Store(y0 + (6 * span) + k + l);
                }
                else
                {
                    (t0r + t2r).Store(y0 + k);
                    (t0i + t2i).Store(y0 + k + l);
                    StoreProduct(y0 + (2 * span) + k, l, t1r + t3i, t1i - t3r, new Vector<float>(w[1].Re), new Vector<float>(w[1].Im));
                    StoreProduct(y0 + (4 * span) + k, l, t0r - t2r, t0i - t2i, new Vector<float>(w[3].Re), new Vector<float>(w[3].Im));
                    StoreProduct(y0 + (6 * span) + k, l, t1r - t3i, t1i + t3r, new Vector<float>(w[5].Re), new Vector<float>(w[5].Im));
                }

                Vector<float> o0r = v0r + v2r, o0i = v0i + v2i, o1r = v0r - v2r, o1i = v0i - v2i;
                Vector<float> o2r = v1r + v3r, o2i = v1i + v3i, o3r = v1r - v3r, o3i = v1i - v3i;
                if (q == 0)
                {
                    (o0r + o2r).Store(y0 + span + k);
                    (o0i + o2i).Store(y0 + span + k + l);
                    (o1r + o3i).Store(y0 + (3 * span) + k);
                    (o1i - o3r).Store(y0 + (3 * span) + k + l);
                    (o0r - o2r).Store(y0 + (5 * span) + k);
                    (o0i - o2i).Store(y0 + (5 * span) + k + l);
                    (o1r - o3i).Store(y0 + (7 * span) + k);
                    (o1i + o3r).Store(y0 + (7 * span) + k + l);
                }
                else
                {
                    StoreProduct(y0 + span + k, l, o0r + o2r, o0i + o2i, new Vector<float>(w[0].Re), new Vector<float>(w[0].Im));
                    StoreProduct(y0 + (3 * span) + k, l, o1r + o3i, o1i - o3r, new Vector<float>(w[2].Re), new Vector<float>(w[2].Im));
                    StoreProduct(y0 + (5 * span) + k, l, o0r - o2r, o0i - o2i, new Vector<float>(w[4].Re), new Vector<float>(w[4].Im));
                    StoreProduct(y0 + (7 * span) + k, l, o1r - o3i, o1i + o3r, new Vector<float>(w[6].Re), new Vector<float>(w[6].Im));
                }
            }
        }
    }

    /// <summary>Radix-5 stage.</summary>
    public static void Radix5(float* x, float* y, int s, int m, Complex32* twiddles)
    {
        int e = ElementFloats, l = Vector<float>.Count;
        nint span = (nint)s * e;
        var c1 = new Vector<float>(0.309016994374947424f);
        var c2 = new Vector<float>(-0.809016994374947424f);
        var s1 = new Vector<float>(0.951056516295153572f);
        var s2 = new Vector<float>(0.587785252292473129f);
        for (int q = 0; q < m; q++)
        {
            float* x0 = x + (q * span);
            float* x1 = x0 + (m * span);
            float* x2 = x1 + (m * span);
            float* x3 = x2 + (m * span);
            float* x4 = x3 + (m * span);
            float* y0 = y + (5 * q * span);
            Complex32* w = twiddles + (4 * q);
            Vector<float> w1r = new(w[0].Re), w1i = new(w[0].Im), w2r = new(w[1].Re), w2i = new(w[1].Im);
            Vector<float> w3r = new(w[2].Re), w3i = new(w[2].Im), w4r = new(w[3].Re), w4i = new(w[3].Im);
            for (nint k = 0; k < span; k += e)
            {
                Vector<float> ar = Vector.Load(x0 + k), ai = Vector.Load(x0 + k + l);
                Vector<float> br = Vector.Load(x1 + k), bi = Vector.Load(x1 + k + l);
                Vector<float> cr = Vector.Load(x2 + k), ci = Vector.Load(x2 + k + l);
                Vector<float> dr = Vector.Load(x3 + k), di = Vector.Load(x3 + k + l);
                Vector<float> er = Vector.Load(x4 + k), ei = Vector.Load(x4 + k + l);
                Vector<float> p1r = br + er, p1i = bi + ei, p2r = cr + dr, p2i = ci + di;
                Vector<float> m1r = br - er, m1i = bi - ei, m2r = cr - dr, m2i = ci - di;
                (ar + p1r + p2r).Store(y0 + k);
                (ai + p1i + p2i).Store(y0 + k + l);
                Vector<float> u1r = ar + (c1 * p1r) + (c2 * p2r), u1i = ai + (c1 * p1i) + (c2 * p2i);
                Vector<float> u2r = ar + (c2 * p1r) + (c1 * p2r), u2i = ai + (c2 * p1i) + (c1 * p2i);
                Vector<float> v1r = (s1 * m1r) + (s2 * m2r), v1i = (s1 * m1i) + (s2 * m2i);
                Vector<float> v2r = (s2 * m1r) - (s1 * m2r), v2i = (s2 * m1i) - (s1 * m2i);

                // X_r = u_r − i·v_r and X_{5−r} = u_r + i·v_r.
                StoreProduct(y0 + span + k, l, u1r + v1i, u1i - v1r, w1r, w1i);
                StoreProduct(y0 + (2 * span) + k, l, u2r + v2i, u2i - v2r, w2r, w2i);
                StoreProduct(y0 + (3 * span) + k, l, u2r - v2i, u2i + v2r, w3r, w3i);
                StoreProduct(y0 + (4 * span) + k, l, u1r - v1i, u1i + v1r, w4r, w4i);
            }
        }
    }

    /// <summary>
    /// Stage of any odd prime radix p (7, 11, 13): X_r = u_r − i·v_r, X_{p−r} = u_r + i·v_r with
    /// u_r = x₀ + Σ_j cos(2πjr/p)(x_j + x_{p−j}) and v_r = Σ_j sin(2πjr/p)(x_j − x_{p−j}), j, r = 1…(p−1)/2.
    /// <paramref name="cosSin"/> holds cos then sin of 2πt/p for t &lt; p.
    /// </summary>
    public static void RadixOdd(float* x, float* y, int s, int m, int p, Complex32* twiddles, float* cosSin)
    {
        int e = ElementFloats, l = Vector<float>.Count;
        int h = (p - 1) / 2;
        nint span = (nint)s * e;
        Span<Vector<float>> sum = stackalloc Vector<float>[2 * h];
        Span<Vector<float>> dif = stackalloc Vector<float>[2 * h];
        for (int q = 0; q < m; q++)
        {
            float* xq = x + (q * span);
            float* yq = y + (p * q * span);
            Complex32* w = twiddles + ((p - 1) * q);
            for (nint k = 0; k < span; k += e)
            {
                Vector<float> ar = Vector.Load(xq + k), ai = Vector.Load(xq + k + l);
                Vector<float> totalR = ar, totalI = ai;
                for (int j = 1; j <= h; j++)
                {
                    float* lo = xq + (j * m * span) + k;
                    float* hi = xq + ((p - j) * m * span) + k;
                    Vector<float> lr = Vector.Load(lo), li = Vector.Load(lo + l), hr = Vector.Load(hi), hii = Vector.Load(hi + l);
                    sum[2 * (j - 1)] = lr + hr;
                    sum[(2 * (j - 1)) + 1] = li + hii;
                    dif[2 * (j - 1)] = lr - hr;
                    dif[(2 * (j - 1)) + 1] = li - hii;
                    totalR += sum[2 * (j - 1)];
                    totalI += sum[(2 * (j - 1)) + 1];
                }

                totalR.Store(yq + k);
                totalI.Store(yq + k + l);
                for (int r = 1; r <= h; r++)
                {
                    Vector<float> ur = ar, ui = ai, vr = Vector<float>.Zero, vi = Vector<float>.Zero;
                    for (int j = 1; j <= h; j++)
                    {
                        int t = j * r % p;
                        var c = new Vector<float>(cosSin[t]);
                        var sn = new Vector<float>(cosSin[p + t]);
                        ur += c * sum[2 * (j - 1)];
                        ui += c * sum[(2 * (j - 1)) + 1];
                        vr += sn * dif[2 * (j - 1)];
                        vi += sn * dif[(2 * (j - 1)) + 1];
                    }

                    StoreProduct(yq + (r * span) + k, l, ur + vi, ui - vr, new Vector<float>(w[r - 1].Re), new Vector<float>(w[r - 1].Im));
                    StoreProduct(yq + ((p - r) * span) + k, l, ur - vi, ui + vr, new Vector<float>(w[p - r - 1].Re), new Vector<float>(w[p - r - 1].Im));
                }
            }
        }
    }

    /// <summary>Stores (ar + i·ai)·(wr + i·wi) at <paramref name="destination"/> in split layout.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreProduct(float* destination, int lanes, Vector<float> ar, Vector<float> ai, Vector<float> wr, Vector<float> wi)
    {
        Vector.MultiplyAddEstimate(ar, wr, -(ai * wi)).Store(destination);
        Vector.MultiplyAddEstimate(ar, wi, ai * wr).Store(destination + lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly4(
        float* a, float* b, float* c, float* d, int l,
        out Vector<float> z0r, out Vector<float> z0i, out Vector<float> z1r, out Vector<float> z1i,
        out Vector<float> z2r, out Vector<float> z2i, out Vector<float> z3r, out Vector<float> z3i)
    {
        Vector<float> ar = Vector.Load(a), ai = Vector.Load(a + l);
        Vector<float> br = Vector.Load(b), bi = Vector.Load(b + l);
        Vector<float> cr = Vector.Load(c), ci = Vector.Load(c + l);
        Vector<float> dr = Vector.Load(d), di = Vector.Load(d + l);
        Vector<float> t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci;
        Vector<float> t2r = br + dr, t2i = bi + di, t3r = br - dr, t3i = bi - di;
        z0r = t0r + t2r;
        z0i = t0i + t2i;
        z2r = t0r - t2r;
        z2i = t0i - t2i;

        // Forward: X1 = t1 − i·t3, X3 = t1 + i·t3.
        z1r = t1r + t3i;
        z1i = t1i - t3r;
        z3r = t1r - t3i;
        z3i = t1i + t3r;
    }
}
