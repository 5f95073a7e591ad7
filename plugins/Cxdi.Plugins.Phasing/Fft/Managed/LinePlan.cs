using System.Numerics;
using System.Runtime.InteropServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Fft.Managed;

/// <summary>
/// A forward FFT of one length n, run on a batch of lines held in the split layout of <see cref="StockhamKernels"/>.
/// Lengths whose prime factors are all ≤ 13 run as a mixed-radix Stockham sequence (radix 8 and 4 first, then 2, 3, 5,
/// and a generic odd-prime kernel for 7, 11, 13); any other length runs Bluestein's chirp-z algorithm on a
/// power-of-two plan of length M ≥ 2n − 1. Tables are computed once in double precision; executing allocates nothing.
/// </summary>
internal sealed unsafe class LinePlan : IDisposable
{
    private const int LargestRadix = 13;

    private readonly Stage[] _stages;
    private readonly LinePlan? _inner;
    private Complex32* _tables;
    private float* _cosSin;

    /// <summary>Builds the plan for lines of <paramref name="length"/> values.</summary>
    public LinePlan(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        List<int>? radices = Factor(length);
        if (radices is null)
        {
            int m = 1;
            while (m < (2 * length) - 1)
            {
                m <<= 1;
            }

            _inner = new LinePlan(m);
            _stages = [];
            BufferElements = m;
            BuildBluestein(m);
        }
        else
        {
            _stages = BuildStages(radices);
            BufferElements = length;
        }
    }

    /// <summary>Finalises a plan that was not disposed.</summary>
    ~LinePlan() => Free();

    /// <summary>Line length n.</summary>
    public int Length { get; }

    /// <summary>Elements each of the three buffers passed to <see cref="Execute"/> must hold.</summary>
    public int BufferElements { get; }

    /// <summary>True when this length runs through Bluestein's algorithm.</summary>
    public bool IsBluestein => _inner is not null;

    /// <summary>Radices of the stages, e.g. "4·4·2·5", or "bluestein(1024)".</summary>
    public string Description => _inner is null ? string.Join('·', _stages.Select(s => s.Radix)) : $"bluestein({_inner.Length})";

    /// <summary>
    /// Transforms the batch held in <paramref name="a"/> using <paramref name="b"/> and <paramref name="c"/> as work
    /// space (each <see cref="BufferElements"/> elements); returns the buffer that holds the result (a, b or c).
    /// </summary>
    public float* Execute(float* a, float* b, float* c)
    {
        if (_inner is not null)
        {
            ExecuteBluestein(a, b, c);
            return a;
        }

        float* x = a, y = b;
        foreach (Stage stage in _stages)
        {
            Complex32* tw = _tables + stage.TwiddleOffset;
            switch (stage.Radix)
            {
                case 2:
                    StockhamKernels.Radix2(x, y, stage.Stride, stage.M, tw);
                    break;
                case 3:
                    StockhamKernels.Radix3(x, y, stage.Stride, stage.M, tw);
                    break;
                case 4:
                    StockhamKernels.Radix4(x, y, stage.Stride, stage.M, tw);
                    break;
                case 8:
                    StockhamKernels.Radix8(x, y, stage.Stride, stage.M, tw);
                    break;
                case 5:
                    StockhamKernels.Radix5(x, y, stage.Stride, stage.M, tw);
                    break;
                default:
                    StockhamKernels.RadixOdd(x, y, stage.Stride, stage.M, stage.Radix, tw, _cosSin + stage.CosSinOffset);
                    break;
            }

            float* t = x;
            x = y;
            y = t;
        }

        return x;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Free();
        _inner?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Radices whose product is <paramref name="n"/> (8s, then 4s, first), or null when a prime factor exceeds 13.</summary>
    private static List<int>? Factor(int n)
    {
        var radices = new List<int>();
        while (n % 8 == 0)
        {
            radices.Add(8);
            n /= 8;
        }

        while (n % 4 == 0)
        {
            radices.Add(4);
            n /= 4;
        }

        foreach (int p in new[] { 2, 3, 5, 7, 11, 13 })
        {
            while (n % p == 0)
            {
                radices.Add(p);
                n /= p;
            }
        }

        return n == 1 ? radices : null;
    }

    private Stage[] BuildStages(List<int> radices)
    {
        var stages = new Stage[radices.Count];
        int twiddleCount = 0, cosSinCount = 0;
        int remaining = Length, stride = 1;
        for (int i = 0; i < radices.Count; i++)
        {
            int p = radices[i];
            int m = remaining / p;
            stages[i] = new Stage(p, stride, m, twiddleCount, cosSinCount);
            twiddleCount += m * (p - 1);
            if (p > 5)
            {
                cosSinCount += 2 * p;
            }

            remaining = m;
            stride *= p;
        }

        _tables = (Complex32*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, twiddleCount) * (nuint)sizeof(Complex32), 64);
        _cosSin = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, cosSinCount) * sizeof(float), 64);
        foreach (Stage stage in stages)
        {
            int p = stage.Radix, length = p * stage.M;
            for (int q = 0; q < stage.M; q++)
            {
                for (int r = 1; r < p; r++)
                {
                    _tables[stage.TwiddleOffset + (q * (p - 1)) + r - 1] = Root((long)q * r, length);
                }
            }

            if (p > 5)
            {
                for (int t = 0; t < p; t++)
                {
                    _cosSin[stage.CosSinOffset + t] = (float)Math.Cos(2 * Math.PI * t / p);
                    _cosSin[stage.CosSinOffset + p + t] = (float)Math.Sin(2 * Math.PI * t / p);
                }
            }
        }

        return stages;
    }

    /// <summary>exp(−2πi·k/n) in double precision, with k reduced modulo n first.</summary>
    private static Complex32 Root(long k, long n)
    {
        double angle = -2 * Math.PI * (k % n) / n;
        return new Complex32((float)Math.Cos(angle), (float)Math.Sin(angle));
    }

    /// <summary>
    /// Tables for X_k = c_k · Σ_j (x_j c_j) · conj(c_{k−j}) with c_j = exp(−πi j²/n): the chirp c (n values) and
    /// FFT_M(b)/M where b holds conj(c) wrapped around zero (M values).
    /// </summary>
    private void BuildBluestein(int m)
    {
        int n = Length;
        _tables = (Complex32*)NativeMemory.AlignedAlloc((nuint)(n + m) * (nuint)sizeof(Complex32), 64);
        _cosSin = (float*)NativeMemory.AlignedAlloc(sizeof(float), 64);
        var re = new double[m];
        var im = new double[m];
        for (int j = 0; j < n; j++)
        {
            double angle = -Math.PI * ((long)j * j % (2L * n)) / n;
            _tables[j] = new Complex32((float)Math.Cos(angle), (float)Math.Sin(angle));
            re[j] = Math.Cos(angle);
            im[j] = -Math.Sin(angle);
            if (j > 0)
            {
                re[m - j] = re[j];
                im[m - j] = im[j];
            }
        }

        ForwardInPlace(re, im);
        for (int k = 0; k < m; k++)
        {
            _tables[n + k] = new Complex32((float)(re[k] / m), (float)(im[k] / m));
        }
    }

    /// <summary>Iterative radix-2 forward FFT in double precision (power-of-two lengths), for table set-up only.</summary>
    private static void ForwardInPlace(double[] re, double[] im)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }

        for (int len = 2; len <= n; len <<= 1)
        {
            double angle = -2 * Math.PI / len;
            for (int start = 0; start < n; start += len)
            {
                for (int k = 0; k < len / 2; k++)
                {
                    double wr = Math.Cos(angle * k), wi = Math.Sin(angle * k);
                    int u = start + k, v = u + (len / 2);
                    double tr = (re[v] * wr) - (im[v] * wi), ti = (re[v] * wi) + (im[v] * wr);
                    re[v] = re[u] - tr;
                    im[v] = im[u] - ti;
                    re[u] += tr;
                    im[u] += ti;
                }
            }
        }
    }

    private void ExecuteBluestein(float* a, float* b, float* c)
    {
        int l = Vector<float>.Count, e = 2 * l, n = Length, m = BufferElements;
        Complex32* chirp = _tables;
        Complex32* kernel = _tables + n;

        // b = (x · c) padded with zeros to M.
        for (int j = 0; j < n; j++)
        {
            MultiplyBroadcast(a + (j * e), b + (j * e), l, chirp[j], conjugate: false);
        }

        new Span<float>(b + (n * e), (m - n) * e).Clear();
        float* spectrum = _inner!.Execute(b, c, c);

        // conj(B · FFT(b)/M), whose forward FFT is M·conj of the inverse transform: conj again at the end.
        for (int k = 0; k < m; k++)
        {
            MultiplyBroadcast(spectrum + (k * e), spectrum + (k * e), l, kernel[k], conjugate: true);
        }

        float* other = spectrum == b ? c : b;
        float* convolution = _inner.Execute(spectrum, other, other);
        for (int k = 0; k < n; k++)
        {
            Complex32 ck = chirp[k];
            ConjugateThenMultiply(convolution + (k * e), a + (k * e), l, ck);
        }
    }

    /// <summary>destination = source · w, or conj(source · w).</summary>
    private static void MultiplyBroadcast(float* source, float* destination, int l, Complex32 w, bool conjugate)
    {
        Vector<float> ar = Vector.Load(source), ai = Vector.Load(source + l);
        var wr = new Vector<float>(w.Re);
        var wi = new Vector<float>(w.Im);
        Vector<float> pr = Vector.MultiplyAddEstimate(ar, wr, -(ai * wi));
        Vector<float> pi = Vector.MultiplyAddEstimate(ar, wi, ai * wr);
        pr.Store(destination);
        (conjugate ? -pi : pi).Store(destination + l);
    }

    /// <summary>destination = conj(source) · w.</summary>
    private static void ConjugateThenMultiply(float* source, float* destination, int l, Complex32 w)
    {
        Vector<float> ar = Vector.Load(source), ai = -Vector.Load(source + l);
        StockhamKernels.StoreProduct(destination, l, ar, ai, new Vector<float>(w.Re), new Vector<float>(w.Im));
    }

    private void Free()
    {
        if (_tables != null)
        {
            NativeMemory.AlignedFree(_tables);
            _tables = null;
        }

        if (_cosSin != null)
        {
            NativeMemory.AlignedFree(_cosSin);
            _cosSin = null;
        }
    }

    private readonly record struct Stage(int Radix, int Stride, int M, int TwiddleOffset, int CosSinOffset);
}
