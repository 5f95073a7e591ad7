using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Support;

/// <summary>Host-side array helpers: FFT shifts, shapes, Gaussian blur, morphology. Object-space arrays exchanged with the host are centred (origin at index N/2 along each axis).</summary>
public static class ArrayTools
{
    /// <summary>Moves index N/2 to index 0 along every axis (centred layout → FFT order).</summary>
    public static T[] IfftShift<T>(ReadOnlySpan<T> data, Shape shape) => Shift(data, shape, -(shape.Nz / 2), -(shape.Ny / 2), -(shape.Nx / 2));

    /// <summary>Moves index 0 to index N/2 along every axis (FFT order → centred layout).</summary>
    public static T[] FftShift<T>(ReadOnlySpan<T> data, Shape shape) => Shift(data, shape, shape.Nz / 2, shape.Ny / 2, shape.Nx / 2);

    /// <summary>A cyclic shift by whole pixels: result[i + d] = data[i].</summary>
    public static T[] Shift<T>(ReadOnlySpan<T> data, Shape shape, int dz, int dy, int dx)
    {
        var result = new T[data.Length];
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        for (var z = 0; z < nz; z++)
        {
            var zz = Mod(z + dz, nz);
            for (var y = 0; y < ny; y++)
            {
                var yy = Mod(y + dy, ny);
                var src = ((long)z * ny + y) * nx;
                var dst = ((long)zz * ny + yy) * nx;
                for (var x = 0; x < nx; x++)
                {
                    result[dst + Mod(x + dx, nx)] = data[(int)(src + x)];
                }
            }
        }

        return result;
    }

    /// <summary>Point inversion through index 0: result[x] = data[−x mod N] along every axis.</summary>
    public static T[] PointInvert<T>(ReadOnlySpan<T> data, Shape shape)
    {
        var result = new T[data.Length];
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                var src = (((long)Mod(-z, nz) * ny) + Mod(-y, ny)) * nx;
                var dst = (((long)z * ny) + y) * nx;
                for (var x = 0; x < nx; x++)
                {
                    result[dst + x] = data[(int)(src + Mod(-x, nx))];
                }
            }
        }

        return result;
    }

    /// <summary>Non-negative modulo.</summary>
    public static int Mod(int a, int n)
    {
        var r = a % n;
        return r < 0 ? r + n : r;
    }

    /// <summary>Signed frequency (or offset) of index <paramref name="i"/> in FFT order: i for i &lt; N/2, i − N otherwise.</summary>
    public static int Signed(int i, int n) => i < (n + 1) / 2 ? i : i - n;

    /// <summary>A centred disc (2D) or ball (3D) of <paramref name="radius"/> pixels, 1 inside.</summary>
    public static byte[] Disc(Shape shape, double radius)
    {
        var result = new byte[shape.Length];
        var r2 = radius * radius;
        Fill(shape, (z, y, x) => ((double)z * z) + ((double)y * y) + ((double)x * x) <= r2, result);
        return result;
    }

    /// <summary>A centred square (2D) or cube (3D) of side <paramref name="size"/> pixels, 1 inside.</summary>
    public static byte[] Square(Shape shape, double size)
    {
        var result = new byte[shape.Length];
        var h = size / 2;
        Fill(shape, (z, y, x) => Math.Abs(z + 0.5) <= h && Math.Abs(y + 0.5) <= h && Math.Abs(x + 0.5) <= h, result);
        return result;
    }

    /// <summary>Separable periodic Gaussian blur of a host array (σ in px), in place.</summary>
    public static void GaussianBlur(float[] data, Shape shape, double sigma)
    {
        if (!(sigma > 0))
        {
            return;
        }

        BlurAxis(data, shape.Nx, 1, (long)shape.Nz * shape.Ny, sigma);
        BlurAxis(data, shape.Ny, shape.Nx, shape.Nz, sigma);
        if (shape.Is3D)
        {
            BlurAxis(data, shape.Nz, (long)shape.Ny * shape.Nx, 1, sigma);
        }
    }

    /// <summary>Dilation (k &gt; 0) or erosion (k &lt; 0) by |k| pixels with a square (cube) structuring element, periodic.</summary>
    public static byte[] Morph(byte[] mask, Shape shape, int k)
    {
        var current = mask;
        for (var step = 0; step < Math.Abs(k); step++)
        {
            current = MorphOnce(current, shape, dilate: k > 0);
        }

        return current == mask ? (byte[])mask.Clone() : current;
    }

    /// <summary>Number of non-zero bytes.</summary>
    public static long Count(ReadOnlySpan<byte> mask)
    {
        long n = 0;
        foreach (var b in mask)
        {
            n += b != 0 ? 1 : 0;
        }

        return n;
    }

    private static byte[] MorphOnce(byte[] mask, Shape shape, bool dilate)
    {
        var result = new byte[mask.Length];
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var dzRange = shape.Is3D ? 1 : 0;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var any = false;
                    var all = true;
                    for (var dz = -dzRange; dz <= dzRange; dz++)
                    {
                        for (var dy = -1; dy <= 1; dy++)
                        {
                            for (var dx = -1; dx <= 1; dx++)
                            {
                                var v = mask[(((long)Mod(z + dz, nz) * ny) + Mod(y + dy, ny)) * nx + Mod(x + dx, nx)] != 0;
                                any |= v;
                                all &= v;
                            }
                        }
                    }

                    result[(((long)z * ny) + y) * nx + x] = (dilate ? any : all) ? (byte)1 : (byte)0;
                }
            }
        }

        return result;
    }

    private static void Fill(Shape shape, Func<int, int, int, bool> inside, byte[] result)
    {
        for (var z = 0; z < shape.Nz; z++)
        {
            var zc = shape.Is3D ? z - (shape.Nz / 2) : 0;
            for (var y = 0; y < shape.Ny; y++)
            {
                for (var x = 0; x < shape.Nx; x++)
                {
                    if (inside(zc, y - (shape.Ny / 2), x - (shape.Nx / 2)))
                    {
                        result[(((long)z * shape.Ny) + y) * shape.Nx + x] = 1;
                    }
                }
            }
        }
    }

    private static void BlurAxis(float[] data, int n, long stride, long outer, double sigma)
    {
        if (n < 2)
        {
            return;
        }

        var radius = Math.Min((int)Math.Ceiling(4 * sigma), (n - 1) / 2);
        var w = new double[radius + 1];
        double sum = 0;
        for (var k = 0; k <= radius; k++)
        {
            w[k] = Math.Exp(-0.5 * k * k / (sigma * sigma));
            sum += k == 0 ? w[k] : 2 * w[k];
        }

        var line = new double[n];
        for (long o = 0; o < outer; o++)
        {
            for (long inner = 0; inner < stride; inner++)
            {
                var baseIndex = (o * n * stride) + inner;
                for (var j = 0; j < n; j++)
                {
                    line[j] = data[baseIndex + (j * stride)];
                }

                for (var j = 0; j < n; j++)
                {
                    var acc = w[0] * line[j];
                    for (var k = 1; k <= radius; k++)
                    {
                        acc += w[k] * (line[Mod(j - k, n)] + line[Mod(j + k, n)]);
                    }

                    data[baseIndex + (j * stride)] = (float)(acc / sum);
                }
            }
        }
    }

    /// <summary>Autocorrelation-based support: the autocorrelation amplitude (unknown pixels filled, <see cref="Autocorrelation.Amplitude"/>) blurred by <paramref name="sigma"/> px and thresholded at <paramref name="threshold"/> × its maximum; centred.</summary>
    public static byte[] AutocorrelationSupport(DiffractionData data, IComputeBackend backend, double threshold, double sigma) =>
        AutocorrelationSupport(Autocorrelation.Amplitude(data, backend), data.Shape, threshold, sigma);

    /// <summary>The support from a centred autocorrelation <paramref name="amplitude"/> (not changed): blurred, thresholded at <paramref name="threshold"/> × its maximum.</summary>
    public static byte[] AutocorrelationSupport(float[] amplitude, Shape shape, double threshold, double sigma)
    {
        ArgumentNullException.ThrowIfNull(amplitude);
        var blurred = (float[])amplitude.Clone();
        GaussianBlur(blurred, shape, sigma);
        var max = blurred.Max();
        var support = new byte[blurred.Length];
        for (long i = 0; i < support.Length; i++)
        {
            support[i] = blurred[i] >= threshold * max ? (byte)1 : (byte)0;
        }

        return support;
    }

    /// <summary>
    /// True when a centred 0/1 <paramref name="support"/> is its own point inversion about its centroid to within 5 % of its
    /// pixels (an autocorrelation, a circle or a square is; a measured footprint is not).
    /// </summary>
    public static bool IsCentrosymmetric(byte[] support, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(support);
        if (support.LongLength != shape.Length)
        {
            throw new ArgumentException($"the support holds {support.LongLength} pixels, the shape {shape.Length}", nameof(support));
        }

        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        double sz = 0, sy = 0, sx = 0;
        long count = 0;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    if (support[(((long)z * ny) + y) * nx + x] != 0)
                    {
                        sz += z;
                        sy += y;
                        sx += x;
                        count++;
                    }
                }
            }
        }

        if (count == 0)
        {
            return true;
        }

        // Twice the centroid, rounded to whole or half pixels: the inversion maps p to 2c − p.
        int tz = (int)Math.Round(2 * sz / count), ty = (int)Math.Round(2 * sy / count), tx = (int)Math.Round(2 * sx / count);
        long mismatched = 0;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    if (support[(((long)z * ny) + y) * nx + x] == 0)
                    {
                        continue;
                    }

                    var mirror = (((long)Mod(tz - z, nz) * ny) + Mod(ty - y, ny)) * nx + Mod(tx - x, nx);
                    mismatched += support[mirror] == 0 ? 1 : 0;
                }
            }
        }

        return mismatched <= 0.05 * count;
    }
}
