using Cxdi.Sdk.Data;

namespace Cxdi.Sdk.Compute;

/// <summary>
/// The fused kernels of <see cref="IComputeBackend"/> written as plain loops over host arrays: the managed defaults of
/// <see cref="ComputeBackendBase"/> and the reference a backend's own kernels are checked against in conformance tests.
/// Single-threaded and allocation-free; sums are accumulated in double.
/// </summary>
public static class ManagedKernels
{
    /// <summary>The modulus projection and its metrics (see <see cref="IComputeBackend.ProjectModulus"/>) on host arrays.</summary>
    public static FourierMetrics ProjectModulus(Span<Complex32> psi, ReadOnlySpan<float> observedAmplitude, ReadOnlySpan<byte> pixelClass, bool project, bool metrics)
    {
        SameLength(psi.Length, observedAmplitude.Length);
        SameLength(psi.Length, pixelClass.Length);
        double llk = 0, free = 0, chi2 = 0, calcSum = 0, obsSum = 0;
        long count = 0, freeCount = 0;
        for (var i = 0; i < psi.Length; i++)
        {
            var cls = pixelClass[i];
            if (cls == PixelClass.Unknown)
            {
                continue;
            }

            var z = psi[i];
            if (metrics)
            {
                double calc = (z.Re * z.Re) + (z.Im * z.Im);
                double a = observedAmplitude[i];
                var obs = a * a;
                var term = calc - obs;
                if (obs > 0)
                {
                    term += obs * Math.Log(obs / Math.Max(calc, 1e-20));
                }

                if (cls == PixelClass.HeldOut)
                {
                    free += term;
                    freeCount++;
                }
                else
                {
                    llk += term;
                    count++;
                    var d = calc - obs;
                    chi2 += d * d / (obs + 1);
                    calcSum += calc;
                    obsSum += obs;
                }
            }

            if (project && cls == PixelClass.Measured)
            {
                var m2 = (z.Re * z.Re) + (z.Im * z.Im);
                var amplitude = observedAmplitude[i];
                psi[i] = m2 > 0 ? (amplitude / MathF.Sqrt(m2)) * z : new Complex32(amplitude, 0);
            }
        }

        return metrics
            ? new FourierMetrics { LlkSum = llk, Count = count, FreeLlkSum = free, FreeCount = freeCount, Chi2Sum = chi2, CalcSum = calcSum, ObsSum = obsSum }
            : default;
    }

    /// <summary>The bounded constraint at unknown pixels (see <see cref="IComputeBackend.ClampAmplitude"/>) on host arrays; returns the number of pixels changed.</summary>
    public static long ClampAmplitude(Span<Complex32> psi, ReadOnlySpan<float> lowerAmplitude, ReadOnlySpan<float> upperAmplitude, ReadOnlySpan<byte> pixelClass)
    {
        SameLength(psi.Length, lowerAmplitude.Length);
        SameLength(psi.Length, upperAmplitude.Length);
        SameLength(psi.Length, pixelClass.Length);
        long changed = 0;
        for (var i = 0; i < psi.Length; i++)
        {
            var lo = lowerAmplitude[i];
            var hi = upperAmplitude[i];
            if (pixelClass[i] != PixelClass.Unknown || !(lo >= 0 && lo <= hi))
            {
                continue;
            }

            var z = psi[i];
            var m = MathF.Sqrt((z.Re * z.Re) + (z.Im * z.Im));
            if (m < lo)
            {
                psi[i] = m > 0 ? (lo / m) * z : new Complex32(lo, 0);
                changed++;
            }
            else if (m > hi)
            {
                psi[i] = (hi / m) * z;
                changed++;
            }
        }

        return changed;
    }

    /// <summary>The real-space update (see <see cref="IComputeBackend.UpdateObject{TRule}"/>) on host arrays; <paramref name="previous"/> may be empty when the rule does not read it.</summary>
    public static void UpdateObject<TRule>(Span<Complex32> current, Span<Complex32> previous, ReadOnlySpan<byte> support, TRule rule)
        where TRule : struct, IObjectUpdateRule
    {
        SameLength(current.Length, support.Length);
        var hasPrevious = !previous.IsEmpty;
        if (hasPrevious)
        {
            SameLength(current.Length, previous.Length);
        }
        else if (rule.ReadsPrevious)
        {
            throw new ArgumentException("this update rule reads the previous object: pass it", nameof(previous));
        }

        for (var i = 0; i < current.Length; i++)
        {
            var v = rule.Apply(current[i], hasPrevious ? previous[i] : default, support[i] != 0);
            current[i] = v;
            if (hasPrevious)
            {
                previous[i] = v;
            }
        }
    }

    /// <summary>Separable periodic Gaussian blur in place (see <see cref="IComputeBackend.GaussianBlur"/>); the kernel radius is min(⌈4σ⌉, (n − 1)/2) and its weights sum to 1.</summary>
    public static void GaussianBlur(Span<float> data, Shape shape, float sigma)
    {
        SameLength(data.Length, shape.Length);
        if (!(sigma > 0))
        {
            return;
        }

        BlurAxis(data, shape.Nx, 1, sigma);
        BlurAxis(data, shape.Ny, shape.Nx, sigma);
        if (shape.Rank == 3)
        {
            BlurAxis(data, shape.Nz, (long)shape.Ny * shape.Nx, sigma);
        }
    }

    /// <summary>Radius of the blur kernel along an axis of <paramref name="n"/> pixels: min(⌈4σ⌉, (n − 1)/2).</summary>
    public static int BlurRadius(int n, float sigma) => Math.Max(0, Math.Min((int)MathF.Ceiling(4 * sigma), (n - 1) / 2));

    /// <summary>Fills <paramref name="weights"/> (radius + 1 values) with the normalised Gaussian weights w₀ … w_r of the blur.</summary>
    public static void BlurWeights(float sigma, Span<float> weights)
    {
        double sum = 0;
        for (var k = 0; k < weights.Length; k++)
        {
            var w = Math.Exp(-0.5 * k * k / (sigma * (double)sigma));
            weights[k] = (float)w;
            sum += k == 0 ? w : 2 * w;
        }

        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] = (float)(weights[k] / sum);
        }
    }

    /// <summary>The Fourier-space Gaussian filter (see <see cref="IComputeBackend.GaussianFourierFilter"/>) on a host spectrum in FFT order.</summary>
    public static void GaussianFourierFilter(Span<Complex32> spectrum, Shape shape, float sigma)
    {
        SameLength(spectrum.Length, shape.Length);
        if (float.IsPositiveInfinity(sigma))
        {
            return;
        }

        var inv = sigma > 0 ? -0.5 / (sigma * (double)sigma) : double.NegativeInfinity;
        var i = 0;
        for (var z = 0; z < shape.Nz; z++)
        {
            var kz = Frequency(z, shape.Nz);
            for (var y = 0; y < shape.Ny; y++)
            {
                var ky = Frequency(y, shape.Ny);
                for (var x = 0; x < shape.Nx; x++, i++)
                {
                    var kx = Frequency(x, shape.Nx);
                    var k2 = ((double)kz * kz) + ((double)ky * ky) + ((double)kx * kx);
                    var w = k2 == 0 ? 1f : (float)Math.Exp(inv * k2);
                    spectrum[i] = w * spectrum[i];
                }
            }
        }
    }

    /// <summary>Σ|ψ|² inside and outside a support (see <see cref="IComputeBackend.Energy"/>).</summary>
    public static SupportEnergy Energy(ReadOnlySpan<Complex32> data, ReadOnlySpan<byte> support)
    {
        SameLength(data.Length, support.Length);
        double inside = 0, outside = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var z = data[i];
            double e = (z.Re * z.Re) + (z.Im * z.Im);
            if (support[i] != 0)
            {
                inside += e;
            }
            else
            {
                outside += e;
            }
        }

        return new SupportEnergy(inside, outside);
    }

    /// <summary>Signed frequency index of FFT-order position <paramref name="i"/> along an axis of <paramref name="n"/> pixels.</summary>
    public static int Frequency(int i, int n) => i <= n / 2 ? i : i - n;

    private static void BlurAxis(Span<float> data, int n, long stride, float sigma)
    {
        if (n < 2)
        {
            return;
        }

        var radius = BlurRadius(n, sigma);
        var weights = new float[radius + 1];
        BlurWeights(sigma, weights);
        var line = new float[n];
        var block = (long)n * stride;
        for (long o = 0; o < data.Length / block; o++)
        {
            for (long inner = 0; inner < stride; inner++)
            {
                var start = (o * block) + inner;
                for (var j = 0; j < n; j++)
                {
                    line[j] = data[(int)(start + (j * stride))];
                }

                for (var j = 0; j < n; j++)
                {
                    var acc = weights[0] * line[j];
                    for (var k = 1; k <= radius; k++)
                    {
                        var lo = j - k < 0 ? j - k + n : j - k;
                        var hi = j + k >= n ? j + k - n : j + k;
                        acc += weights[k] * (line[lo] + line[hi]);
                    }

                    data[(int)(start + (j * stride))] = acc;
                }
            }
        }
    }

    private static void SameLength(long a, long b)
    {
        if (a != b)
        {
            throw new ArgumentException($"arrays of {a} and {b} elements do not match");
        }
    }
}
