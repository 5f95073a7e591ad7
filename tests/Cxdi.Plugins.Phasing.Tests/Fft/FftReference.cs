using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Tests.Fft;

/// <summary>Reference transforms and comparisons for the FFT tests.</summary>
internal static class FftReference
{
    /// <summary>Uniform random complex values in [−1, 1)² from a fixed seed.</summary>
    public static Complex32[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new Complex32[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = new Complex32((float)((random.NextDouble() * 2) - 1), (float)((random.NextDouble() * 2) - 1));
        }

        return values;
    }

    /// <summary>
    /// The full O(N²) multidimensional DFT in double precision: X[k] = Σₓ x[x]·exp(∓2πi Σ_d k_d x_d / n_d), scaled by 1/N
    /// when <paramref name="inverse"/>.
    /// </summary>
    public static Complex32[] NaiveDft(ReadOnlySpan<Complex32> input, Shape shape, bool inverse)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        int n = checked((int)shape.Length);
        double sign = inverse ? 1 : -1;
        var output = new Complex32[n];
        for (int kz = 0; kz < nz; kz++)
        {
            for (int ky = 0; ky < ny; ky++)
            {
                for (int kx = 0; kx < nx; kx++)
                {
                    double re = 0, im = 0;
                    for (int z = 0; z < nz; z++)
                    {
                        for (int y = 0; y < ny; y++)
                        {
                            for (int x = 0; x < nx; x++)
                            {
                                // Reduce each product modulo its length so the phase stays exact for large indices.
                                double turns = ((double)(kz * z % nz) / nz) + ((double)(ky * y % ny) / ny) + ((double)(kx * x % nx) / nx);
                                double angle = sign * 2 * Math.PI * turns;
                                Complex32 v = input[(((z * ny) + y) * nx) + x];
                                double c = Math.Cos(angle), s = Math.Sin(angle);
                                re += (v.Re * c) - (v.Im * s);
                                im += (v.Re * s) + (v.Im * c);
                            }
                        }
                    }

                    double scale = inverse ? 1.0 / n : 1.0;
                    output[(((kz * ny) + ky) * nx) + kx] = new Complex32((float)(re * scale), (float)(im * scale));
                }
            }
        }

        return output;
    }

    /// <summary>The forward DFT computed axis by axis with naive 1D DFTs in double precision (for larger shapes).</summary>
    public static Complex32[] NaiveDftSeparable(ReadOnlySpan<Complex32> input, Shape shape)
    {
        int n = checked((int)shape.Length);
        var re = new double[n];
        var im = new double[n];
        for (int i = 0; i < n; i++)
        {
            re[i] = input[i].Re;
            im[i] = input[i].Im;
        }

        int[] dims = [shape.Nz, shape.Ny, shape.Nx];
        int[] strides = [shape.Ny * shape.Nx, shape.Nx, 1];
        for (int axis = 0; axis < 3; axis++)
        {
            int len = dims[axis], stride = strides[axis];
            var lineRe = new double[len];
            var lineIm = new double[len];
            for (int start = 0; start < n; start++)
            {
                if (start / stride % len != 0)
                {
                    continue;
                }

                for (int k = 0; k < len; k++)
                {
                    double sr = 0, si = 0;
                    for (int j = 0; j < len; j++)
                    {
                        double angle = -2 * Math.PI * ((long)j * k % len) / len;
                        double c = Math.Cos(angle), s = Math.Sin(angle);
                        int at = start + (j * stride);
                        sr += (re[at] * c) - (im[at] * s);
                        si += (re[at] * s) + (im[at] * c);
                    }

                    lineRe[k] = sr;
                    lineIm[k] = si;
                }

                for (int k = 0; k < len; k++)
                {
                    re[start + (k * stride)] = lineRe[k];
                    im[start + (k * stride)] = lineIm[k];
                }
            }
        }

        var output = new Complex32[n];
        for (int i = 0; i < n; i++)
        {
            output[i] = new Complex32((float)re[i], (float)im[i]);
        }

        return output;
    }

    /// <summary>‖a − b‖₂ / ‖b‖₂ in double precision.</summary>
    public static double RelativeL2(ReadOnlySpan<Complex32> actual, ReadOnlySpan<Complex32> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double dr = actual[i].Re - (double)expected[i].Re, di = actual[i].Im - (double)expected[i].Im;
            diff += (dr * dr) + (di * di);
            norm += ((double)expected[i].Re * expected[i].Re) + ((double)expected[i].Im * expected[i].Im);
        }

        return Math.Sqrt(diff / norm);
    }

    /// <summary>max |a − b| / ‖b‖₂.</summary>
    public static double MaxErrorOverNorm(ReadOnlySpan<Complex32> actual, ReadOnlySpan<Complex32> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double dr = actual[i].Re - (double)expected[i].Re, di = actual[i].Im - (double)expected[i].Im;
            max = Math.Max(max, Math.Sqrt((dr * dr) + (di * di)));
            norm += ((double)expected[i].Re * expected[i].Re) + ((double)expected[i].Im * expected[i].Im);
        }

        return max / Math.Sqrt(norm);
    }

    /// <summary>Σ|x|² in double precision.</summary>
    public static double Energy(ReadOnlySpan<Complex32> values)
    {
        double sum = 0;
        foreach (Complex32 v in values)
        {
            sum += ((double)v.Re * v.Re) + ((double)v.Im * v.Im);
        }

        return sum;
    }

    /// <summary>The shape from its dimensions, slowest first.</summary>
    public static Shape ShapeOf(int[] dims) => Shape.FromDimensions(dims);

    /// <summary>Checks forward and inverse of one engine against the separable DFT (max error ≤ 1e-4 of the norm).</summary>
    public static void CheckAgainstNaive(IFftEngine engine, int seed)
    {
        Shape shape = engine.Shape;
        Complex32[] input = Random(checked((int)shape.Length), seed);

        Complex32[] forward = (Complex32[])input.Clone();
        engine.Forward(forward);
        Complex32[] expectedForward = NaiveDft(input, shape, inverse: false);
        Assert.True(MaxErrorOverNorm(forward, expectedForward) <= 1e-4, $"{engine.Name} forward {shape}: max error {MaxErrorOverNorm(forward, expectedForward):E2}");
        Assert.True(RelativeL2(forward, expectedForward) <= 1e-5, $"{engine.Name} forward {shape}: L2 error {RelativeL2(forward, expectedForward):E2}");

        Complex32[] inverse = (Complex32[])input.Clone();
        engine.Inverse(inverse);
        Complex32[] expectedInverse = NaiveDft(input, shape, inverse: true);
        Assert.True(MaxErrorOverNorm(inverse, expectedInverse) <= 1e-4, $"{engine.Name} inverse {shape}: max error {MaxErrorOverNorm(inverse, expectedInverse):E2}");
        Assert.True(RelativeL2(inverse, expectedInverse) <= 1e-5, $"{engine.Name} inverse {shape}: L2 error {RelativeL2(inverse, expectedInverse):E2}");
    }

    /// <summary>Inverse(Forward(x)) = x within float rounding.</summary>
    public static void CheckRoundTrip(IFftEngine engine, int seed)
    {
        Complex32[] input = Random(checked((int)engine.Shape.Length), seed);
        Complex32[] data = (Complex32[])input.Clone();
        engine.Forward(data);
        engine.Inverse(data);
        double error = RelativeL2(data, input);
        Assert.True(error <= 1e-6, $"{engine.Name} round trip {engine.Shape}: {error:E2}");
    }

    /// <summary>Σ|X|² = N Σ|x|².</summary>
    public static void CheckParseval(IFftEngine engine, int seed)
    {
        Complex32[] data = Random(checked((int)engine.Shape.Length), seed);
        double before = Energy(data);
        engine.Forward(data);
        double after = Energy(data) / engine.Shape.Length;
        Assert.True(Math.Abs(after - before) <= 1e-5 * before, $"{engine.Name} Parseval {engine.Shape}: {after} vs {before}");
    }

    /// <summary>A span at an odd 8-byte offset (not 16-byte aligned) gives exactly the aligned result.</summary>
    public static unsafe void CheckUnalignedSpan(IFftEngine engine, int seed)
    {
        int n = checked((int)engine.Shape.Length);
        Complex32[] input = Random(n, seed);
        using var aligned = new AlignedComplexBuffer(n);
        using var shifted = new AlignedComplexBuffer(n + 1);
        Span<Complex32> a = aligned.Span;
        Span<Complex32> u = shifted.Span[1..];
        Assert.False(((nuint)shifted.Pointer + (nuint)sizeof(Complex32)) % 16 == 0);
        foreach (bool inverse in new[] { false, true })
        {
            input.CopyTo(a);
            input.CopyTo(u);
            if (inverse)
            {
                engine.Inverse(a);
                engine.Inverse(u);
            }
            else
            {
                engine.Forward(a);
                engine.Forward(u);
            }

            Assert.True(a.SequenceEqual(u), $"{engine.Name}: unaligned {(inverse ? "inverse" : "forward")} differs from aligned");
        }
    }
}
