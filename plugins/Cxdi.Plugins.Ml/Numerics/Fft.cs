namespace Cxdi.Plugins.Ml.Numerics;

/// <summary>
/// A small managed complex FFT (double precision): radix-2 for power-of-two lengths, Bluestein's chirp-z for any other
/// length; 2D transforms run line by line, rows in parallel. Enough for simulated training patterns and autocorrelations
/// at 128²–1024²; the phasing plugin has the fast engines.
/// </summary>
internal sealed class Fft
{
    private readonly int n;
    private readonly double[] cos;
    private readonly double[] sin;
    private readonly int[] reverse;
    private readonly Fft? inner;
    private readonly double[]? chirpRe;
    private readonly double[]? chirpIm;
    private readonly double[]? kernelRe;
    private readonly double[]? kernelIm;

    /// <summary>Plans a transform of length <paramref name="length"/>.</summary>
    public Fft(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        n = length;
        if (IsPowerOfTwo(length))
        {
            cos = new double[length / 2];
            sin = new double[length / 2];
            for (var k = 0; k < length / 2; k++)
            {
                cos[k] = Math.Cos(2 * Math.PI * k / length);
                sin[k] = -Math.Sin(2 * Math.PI * k / length);
            }

            reverse = new int[length];
            var bits = System.Numerics.BitOperations.Log2((uint)length);
            for (var i = 0; i < length; i++)
            {
                var r = 0;
                for (var b = 0; b < bits; b++)
                {
                    r |= ((i >> b) & 1) << (bits - 1 - b);
                }

                reverse[i] = r;
            }

            return;
        }

        // Bluestein: x_k w_k convolved with conj(w) over a power-of-two length m >= 2n-1, w_k = exp(-iπk²/n).
        var m = 1;
        while (m < (2 * length) - 1)
        {
            m <<= 1;
        }

        inner = new Fft(m);
        cos = [];
        sin = [];
        reverse = [];
        chirpRe = new double[length];
        chirpIm = new double[length];
        for (var k = 0; k < length; k++)
        {
            var angle = Math.PI * ((long)k * k % (2L * length)) / length;
            chirpRe[k] = Math.Cos(angle);
            chirpIm[k] = -Math.Sin(angle);
        }

        kernelRe = new double[m];
        kernelIm = new double[m];
        kernelRe[0] = chirpRe[0];
        kernelIm[0] = -chirpIm[0];
        for (var k = 1; k < length; k++)
        {
            kernelRe[k] = kernelRe[m - k] = chirpRe[k];
            kernelIm[k] = kernelIm[m - k] = -chirpIm[k];
        }

        inner.Transform(kernelRe, kernelIm, inverse: false);
    }

    /// <summary>The transform length.</summary>
    public int Length => n;

    /// <summary>True for 1, 2, 4, 8…</summary>
    public static bool IsPowerOfTwo(int v) => v > 0 && (v & (v - 1)) == 0;

    /// <summary>In-place transform of (<paramref name="re"/>, <paramref name="im"/>); the inverse is unnormalised.</summary>
    public void Transform(Span<double> re, Span<double> im, bool inverse)
    {
        if (inner is null)
        {
            Radix2(re, im, inverse);
            return;
        }

        if (inverse)
        {
            // IFFT(x) = conj(FFT(conj(x))).
            for (var i = 0; i < n; i++)
            {
                im[i] = -im[i];
            }

            Bluestein(re, im);
            for (var i = 0; i < n; i++)
            {
                im[i] = -im[i];
            }

            return;
        }

        Bluestein(re, im);
    }

    private void Bluestein(Span<double> re, Span<double> im)
    {
        var m = inner!.n;
        var ar = new double[m];
        var ai = new double[m];
        for (var k = 0; k < n; k++)
        {
            ar[k] = (re[k] * chirpRe![k]) - (im[k] * chirpIm![k]);
            ai[k] = (re[k] * chirpIm[k]) + (im[k] * chirpRe[k]);
        }

        inner.Transform(ar, ai, inverse: false);
        for (var k = 0; k < m; k++)
        {
            var r = (ar[k] * kernelRe![k]) - (ai[k] * kernelIm![k]);
            var i = (ar[k] * kernelIm[k]) + (ai[k] * kernelRe[k]);
            ar[k] = r;
            ai[k] = i;
        }

        inner.Transform(ar, ai, inverse: true);
        for (var k = 0; k < n; k++)
        {
            var r = ar[k] / m;
            var i = ai[k] / m;
            re[k] = (r * chirpRe![k]) - (i * chirpIm![k]);
            im[k] = (r * chirpIm[k]) + (i * chirpRe[k]);
        }
    }

    private void Radix2(Span<double> re, Span<double> im, bool inverse)
    {
        for (var i = 0; i < n; i++)
        {
            var j = reverse[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }

        var sign = inverse ? -1.0 : 1.0;
        for (var size = 2; size <= n; size <<= 1)
        {
            var half = size >> 1;
            var step = n / size;
            for (var start = 0; start < n; start += size)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = cos[k * step];
                    var wi = sign * sin[k * step];
                    var a = start + k;
                    var b = a + half;
                    var tr = (re[b] * wr) - (im[b] * wi);
                    var ti = (re[b] * wi) + (im[b] * wr);
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    /// <summary>In-place 2D transform of a row-major ny × nx array; the inverse is unnormalised.</summary>
    public static void Transform2D(double[] re, double[] im, int ny, int nx, bool inverse)
    {
        var rows = new Fft(nx);
        Parallel.For(0, ny, y => rows.Transform(re.AsSpan(y * nx, nx), im.AsSpan(y * nx, nx), inverse));
        var cols = ny == nx ? rows : new Fft(ny);
        Parallel.For(0, nx, () => (new double[ny], new double[ny]), (x, _, buffers) =>
        {
            var (cr, ci) = buffers;
            for (var y = 0; y < ny; y++)
            {
                cr[y] = re[(y * nx) + x];
                ci[y] = im[(y * nx) + x];
            }

            cols.Transform(cr, ci, inverse);
            for (var y = 0; y < ny; y++)
            {
                re[(y * nx) + x] = cr[y];
                im[(y * nx) + x] = ci[y];
            }

            return buffers;
        }, _ => { });
    }

    /// <summary>Swaps half-spaces so index 0 moves to (ny/2, nx/2) (numpy's fftshift).</summary>
    public static T[] Shift<T>(T[] a, int ny, int nx)
    {
        var b = new T[a.Length];
        for (var y = 0; y < ny; y++)
        {
            var sy = (y + (ny / 2)) % ny;
            for (var x = 0; x < nx; x++)
            {
                b[(sy * nx) + ((x + (nx / 2)) % nx)] = a[(y * nx) + x];
            }
        }

        return b;
    }

    /// <summary>Inverse of <see cref="Shift{T}"/> (numpy's ifftshift).</summary>
    public static T[] Unshift<T>(T[] a, int ny, int nx)
    {
        var b = new T[a.Length];
        for (var y = 0; y < ny; y++)
        {
            var sy = (y + (ny / 2)) % ny;
            for (var x = 0; x < nx; x++)
            {
                b[(y * nx) + x] = a[(sy * nx) + ((x + (nx / 2)) % nx)];
            }
        }

        return b;
    }
}
