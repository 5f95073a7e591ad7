using System.Collections.Concurrent;
using System.Numerics;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>
/// The FFT that stands in for cuFFT on ILGPU's CPU accelerator: separable 1D transforms along each axis in double
/// precision, radix-2 for powers of two and Bluestein's chirp-z (through a power-of-two convolution) for any other length.
/// Unscaled in both directions. Single-threaded and simple: it exists to check the GPU kernels, not to be fast.
/// </summary>
internal static class HostFft
{
    private static readonly ConcurrentDictionary<int, Line> Lines = new();

    /// <summary>Transforms <paramref name="data"/> (row-major, <paramref name="shape"/>) in place; <paramref name="sign"/> −1 forward, +1 inverse, unscaled.</summary>
    public static void Transform(Span<Complex32> data, Shape shape, int sign)
    {
        var work = new Complex[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            work[i] = new Complex(data[i].Re, data[i].Im);
        }

        Axis(work, shape.Nx, 1, sign);
        Axis(work, shape.Ny, shape.Nx, sign);
        if (shape.Rank == 3)
        {
            Axis(work, shape.Nz, (long)shape.Ny * shape.Nx, sign);
        }

        for (var i = 0; i < data.Length; i++)
        {
            data[i] = new Complex32((float)work[i].Real, (float)work[i].Imaginary);
        }
    }

    private static void Axis(Complex[] data, int n, long stride, int sign)
    {
        if (n < 2)
        {
            return;
        }

        var line = Lines.GetOrAdd(n, static m => new Line(m));
        var buffer = new Complex[n];
        var block = n * stride;
        for (long o = 0; o < data.Length / block; o++)
        {
            for (long inner = 0; inner < stride; inner++)
            {
                var start = (o * block) + inner;
                for (var j = 0; j < n; j++)
                {
                    buffer[j] = data[start + (j * stride)];
                }

                line.Transform(buffer, sign);
                for (var j = 0; j < n; j++)
                {
                    data[start + (j * stride)] = buffer[j];
                }
            }
        }
    }

    /// <summary>The precomputed tables of one line length.</summary>
    private sealed class Line
    {
        private readonly int n;
        private readonly int m;
        private readonly Complex[] chirp = [];
        private readonly Complex[] filter = [];
        private readonly Complex[] twiddles;

        public Line(int n)
        {
            this.n = n;
            m = IsPowerOfTwo(n) ? n : NextPowerOfTwo((2 * n) - 1);
            twiddles = new Complex[m / 2];
            for (var k = 0; k < m / 2; k++)
            {
                twiddles[k] = Complex.FromPolarCoordinates(1, -2 * Math.PI * k / m);
            }

            if (m != n)
            {
                // Bluestein: x_k e^{−iπk²/n} convolved with e^{+iπk²/n}; k² taken mod 2n to keep the angle exact.
                chirp = new Complex[n];
                for (var k = 0; k < n; k++)
                {
                    var k2 = (long)k * k % (2L * n);
                    chirp[k] = Complex.FromPolarCoordinates(1, -Math.PI * k2 / n);
                }

                filter = new Complex[m];
                filter[0] = Complex.Conjugate(chirp[0]);
                for (var k = 1; k < n; k++)
                {
                    filter[k] = filter[m - k] = Complex.Conjugate(chirp[k]);
                }

                Radix2(filter, -1);
            }
        }

        public void Transform(Complex[] x, int sign)
        {
            if (m == n)
            {
                Radix2(x, sign);
                return;
            }

            // The inverse is the conjugate of the forward transform of the conjugate.
            var a = new Complex[m];
            for (var k = 0; k < n; k++)
            {
                var v = sign > 0 ? Complex.Conjugate(x[k]) : x[k];
                a[k] = v * chirp[k];
            }

            Radix2(a, -1);
            for (var k = 0; k < m; k++)
            {
                a[k] *= filter[k];
            }

            Radix2(a, +1);
            for (var k = 0; k < n; k++)
            {
                var v = a[k] * chirp[k] / m;
                x[k] = sign > 0 ? Complex.Conjugate(v) : v;
            }
        }

        /// <summary>In-place iterative radix-2 transform of length <see cref="m"/>, unscaled.</summary>
        private void Radix2(Complex[] x, int sign)
        {
            var size = x.Length;
            for (int i = 1, j = 0; i < size; i++)
            {
                var bit = size >> 1;
                for (; (j & bit) != 0; bit >>= 1)
                {
                    j ^= bit;
                }

                j ^= bit;
                if (i < j)
                {
                    (x[i], x[j]) = (x[j], x[i]);
                }
            }

            for (var len = 2; len <= size; len <<= 1)
            {
                var step = m / len;
                var half = len / 2;
                for (var i = 0; i < size; i += len)
                {
                    for (var k = 0; k < half; k++)
                    {
                        var w = twiddles[k * step];
                        if (sign > 0)
                        {
                            w = Complex.Conjugate(w);
                        }

                        var u = x[i + k];
                        var v = x[i + k + half] * w;
                        x[i + k] = u + v;
                        x[i + k + half] = u - v;
                    }
                }
            }
        }

        private static bool IsPowerOfTwo(int v) => (v & (v - 1)) == 0;

        private static int NextPowerOfTwo(int v)
        {
            var p = 1;
            while (p < v)
            {
                p <<= 1;
            }

            return p;
        }
    }
}
