using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using ILGPU;

namespace Cxdi.Plugins.Gpu.Kernels;

/// <summary>
/// The ILGPU kernels of the GPU backends, written as grid-stride loops: a launch of <c>threads</c> threads covers any
/// number of elements, thread t taking t, t + threads, t + 2·threads… They are public (ILGPU's CPU accelerator needs
/// public kernels and types), static, and use nothing but ILGPU intrinsics, so the same code runs on CUDA and on the
/// CPU accelerator. Reductions accumulate per thread in double, then add into <see cref="Slots"/> partial sums with
/// atomics (thread t into slot t mod <see cref="Slots"/>) that the host adds up; the caller zeroes the slots first.
/// <c>scale</c> parameters fold a pending factor (the 1/N of an inverse FFT) into the kernel that next reads the data.
/// </summary>
public static class GpuKernels
{
    /// <summary>Partial-sum slots per reduced quantity.</summary>
    public const int Slots = 256;

    /// <summary>data ← factor · data.</summary>
    public static void Scale(Index1D t, ArrayView<Complex32> data, float factor, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var z = data[i];
            data[i] = new Complex32(factor * z.Re, factor * z.Im);
        }
    }

    /// <summary>data ← scale · data · (mask ≠ 0 ? inside : outside).</summary>
    public static void ScaleMasked(Index1D t, ArrayView<Complex32> data, ArrayView<byte> mask, float inside, float outside, float scale, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var z = data[i];
            var f = mask[i] != 0 ? inside : outside;
            data[i] = new Complex32(f * (scale * z.Re), f * (scale * z.Im));
        }
    }

    /// <summary>destination ← scale · source.</summary>
    public static void CopyScaled(Index1D t, ArrayView<Complex32> source, ArrayView<Complex32> destination, float scale, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var z = source[i];
            destination[i] = scale == 1f ? z : new Complex32(scale * z.Re, scale * z.Im);
        }
    }

    /// <summary>data ← data · factor (real).</summary>
    public static void MultiplyReal(Index1D t, ArrayView<Complex32> data, ArrayView<float> factor, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var z = data[i];
            var f = factor[i];
            data[i] = new Complex32(f * z.Re, f * z.Im);
        }
    }

    /// <summary>data ← data · factor (complex).</summary>
    public static void MultiplyComplex(Index1D t, ArrayView<Complex32> data, ArrayView<Complex32> factor, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var a = data[i];
            var b = factor[i];
            data[i] = new Complex32((a.Re * b.Re) - (a.Im * b.Im), (a.Re * b.Im) + (a.Im * b.Re));
        }
    }

    /// <summary>y ← a·x + b·y.</summary>
    public static void Axpby(Index1D t, float a, ArrayView<Complex32> x, float b, ArrayView<Complex32> y, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var u = x[i];
            var v = y[i];
            y[i] = new Complex32((a * u.Re) + (b * v.Re), (a * u.Im) + (b * v.Im));
        }
    }

    /// <summary>destination ← |source| (<paramref name="squared"/> = 0) or |source|² (1).</summary>
    public static void Modulus(Index1D t, ArrayView<Complex32> source, ArrayView<float> destination, int squared, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var z = source[i];
            var m2 = (z.Re * z.Re) + (z.Im * z.Im);
            destination[i] = squared != 0 ? m2 : MathF.Sqrt(m2);
        }
    }

    /// <summary>mask ← data ≥ level; slot sums count the ones.</summary>
    public static void Threshold(Index1D t, ArrayView<float> data, float level, ArrayView<byte> mask, ArrayView<double> sums, long n, int threads)
    {
        double count = 0;
        for (long i = t; i < n; i += threads)
        {
            var inside = data[i] >= level;
            mask[i] = inside ? (byte)1 : (byte)0;
            count += inside ? 1 : 0;
        }

        Atomic.Add(ref sums[t % Slots], count);
    }

    /// <summary>Slot sums of x (slot k), of x² where the mask is set or everywhere (<paramref name="useMask"/> = 0) (slot <see cref="Slots"/> + k) and of the pixels counted (slot 2·<see cref="Slots"/> + k).</summary>
    public static void SumReal(Index1D t, ArrayView<float> data, ArrayView<byte> mask, int useMask, ArrayView<double> sums, long n, int threads)
    {
        double sum = 0, squares = 0, count = 0;
        for (long i = t; i < n; i += threads)
        {
            double v = data[i];
            sum += v;
            if (useMask == 0 || mask[i] != 0)
            {
                squares += v * v;
                count += 1;
            }
        }

        var s = t % Slots;
        Atomic.Add(ref sums[s], sum);
        Atomic.Add(ref sums[Slots + s], squares);
        Atomic.Add(ref sums[(2 * Slots) + s], count);
    }

    /// <summary>Slot maxima of data; the caller fills the slots with −∞ first.</summary>
    public static void MaxReal(Index1D t, ArrayView<float> data, ArrayView<float> maxima, long n, int threads)
    {
        var best = float.NegativeInfinity;
        for (long i = t; i < n; i += threads)
        {
            var v = data[i];
            best = v > best ? v : best;
        }

        Atomic.Max(ref maxima[t % Slots], best);
    }

    /// <summary>Fills a float view.</summary>
    public static void Fill(Index1D t, ArrayView<float> data, float value, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            data[i] = value;
        }
    }

    /// <summary>Slot sums of Σ conj(a)·b: real part in slot k, imaginary part in slot <see cref="Slots"/> + k.</summary>
    public static void Dot(Index1D t, ArrayView<Complex32> a, ArrayView<Complex32> b, ArrayView<double> sums, long n, int threads)
    {
        double re = 0, im = 0;
        for (long i = t; i < n; i += threads)
        {
            var u = a[i];
            var v = b[i];
            re += ((double)u.Re * v.Re) + ((double)u.Im * v.Im);
            im += ((double)u.Re * v.Im) - ((double)u.Im * v.Re);
        }

        var s = t % Slots;
        Atomic.Add(ref sums[s], re);
        Atomic.Add(ref sums[Slots + s], im);
    }

    /// <summary>Slot sums of the non-zero bytes of a mask.</summary>
    public static void CountMask(Index1D t, ArrayView<byte> mask, ArrayView<double> sums, long n, int threads)
    {
        double count = 0;
        for (long i = t; i < n; i += threads)
        {
            count += mask[i] != 0 ? 1 : 0;
        }

        Atomic.Add(ref sums[t % Slots], count);
    }

    /// <summary>Slot sums of |scale·ψ|² inside (slot k) and outside (slot <see cref="Slots"/> + k) the support.</summary>
    public static void Energy(Index1D t, ArrayView<Complex32> data, ArrayView<byte> support, float scale, ArrayView<double> sums, long n, int threads)
    {
        double inside = 0, outside = 0;
        for (long i = t; i < n; i += threads)
        {
            var z = data[i];
            var re = scale * z.Re;
            var im = scale * z.Im;
            double e = (re * re) + (im * im);
            if (support[i] != 0)
            {
                inside += e;
            }
            else
            {
                outside += e;
            }
        }

        var s = t % Slots;
        Atomic.Add(ref sums[s], inside);
        Atomic.Add(ref sums[Slots + s], outside);
    }

    /// <summary>
    /// The modulus projection with its metrics (see <see cref="IComputeBackend.ProjectModulus"/>) on ψ = scale · psi; the
    /// projected values are written unscaled. Slot sums, 7 quantities × <see cref="Slots"/>: LLK, free LLK, χ², calculated,
    /// observed, count, free count.
    /// </summary>
    public static void ProjectModulus(Index1D t, ArrayView<Complex32> psi, ArrayView<float> amplitude, ArrayView<byte> classes, float scale, int project, int metrics, ArrayView<double> sums, long n, int threads)
    {
        double llk = 0, free = 0, chi2 = 0, calcSum = 0, obsSum = 0, count = 0, freeCount = 0;
        for (long i = t; i < n; i += threads)
        {
            var cls = classes[i];
            var raw = psi[i];
            var re = scale * raw.Re;
            var im = scale * raw.Im;
            if (cls == PixelClass.Unknown)
            {
                if (scale != 1f && project != 0)
                {
                    psi[i] = new Complex32(re, im);
                }

                continue;
            }

            var m2 = (re * re) + (im * im);
            if (metrics != 0)
            {
                double calc = m2;
                double a = amplitude[i];
                var obs = a * a;
                var term = calc - obs;
                if (obs > 0)
                {
                    term += obs * DeviceMath.Log(obs / (calc > 1e-20 ? calc : 1e-20));
                }

                if (cls == PixelClass.HeldOut)
                {
                    free += term;
                    freeCount += 1;
                }
                else
                {
                    llk += term;
                    count += 1;
                    var d = calc - obs;
                    chi2 += d * d / (obs + 1);
                    calcSum += calc;
                    obsSum += obs;
                }
            }

            if (project != 0)
            {
                if (cls == PixelClass.Measured)
                {
                    var amp = amplitude[i];
                    if (m2 > 0)
                    {
                        var f = amp / MathF.Sqrt(m2);
                        psi[i] = new Complex32(f * re, f * im);
                    }
                    else
                    {
                        psi[i] = new Complex32(amp, 0);
                    }
                }
                else if (scale != 1f)
                {
                    psi[i] = new Complex32(re, im);
                }
            }
        }

        if (metrics != 0)
        {
            var s = t % Slots;
            Atomic.Add(ref sums[s], llk);
            Atomic.Add(ref sums[Slots + s], free);
            Atomic.Add(ref sums[(2 * Slots) + s], chi2);
            Atomic.Add(ref sums[(3 * Slots) + s], calcSum);
            Atomic.Add(ref sums[(4 * Slots) + s], obsSum);
            Atomic.Add(ref sums[(5 * Slots) + s], count);
            Atomic.Add(ref sums[(6 * Slots) + s], freeCount);
        }
    }

    /// <summary>
    /// A linear object update (<see cref="IObjectUpdateRule.IsLinear"/>): p = scale · current is kept inside the support and
    /// replaced by previousWeight·ψ + projectedWeight·p outside; the result goes to current and, when
    /// <paramref name="hasPrevious"/> is set, to previous.
    /// </summary>
    public static void UpdateLinear(Index1D t, ArrayView<Complex32> current, ArrayView<Complex32> previous, ArrayView<byte> support, int hasPrevious, float previousWeight, float projectedWeight, float scale, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var raw = current[i];
            var p = new Complex32(scale * raw.Re, scale * raw.Im);
            var old = hasPrevious != 0 ? previous[i] : default;
            var v = support[i] != 0 ? p : new Complex32((previousWeight * old.Re) + (projectedWeight * p.Re), (previousWeight * old.Im) + (projectedWeight * p.Im));
            current[i] = v;
            if (hasPrevious != 0)
            {
                previous[i] = v;
            }
        }
    }

    /// <summary>
    /// Any object update rule, inlined by ILGPU from the rule struct's <see cref="IObjectUpdateRule.Apply"/>; same data flow
    /// as <see cref="UpdateLinear"/>. The rule comes as its bytes in device memory, read back as a <typeparamref name="TRule"/>:
    /// rule structs hold bools, which ILGPU accepts in memory but not in kernel parameters.
    /// </summary>
    public static void UpdateRule<TRule>(Index1D t, ArrayView<Complex32> current, ArrayView<Complex32> previous, ArrayView<byte> support, int hasPrevious, ArrayView<byte> ruleBytes, float scale, long n, int threads)
        where TRule : unmanaged, IObjectUpdateRule
    {
        var rule = ruleBytes.Cast<TRule>()[0];
        for (long i = t; i < n; i += threads)
        {
            var raw = current[i];
            var p = new Complex32(scale * raw.Re, scale * raw.Im);
            var old = hasPrevious != 0 ? previous[i] : default;
            var v = rule.Apply(p, old, support[i] != 0);
            current[i] = v;
            if (hasPrevious != 0)
            {
                previous[i] = v;
            }
        }
    }

    /// <summary>
    /// One axis of the separable periodic Gaussian blur, out of place: along the axis of <paramref name="length"/> pixels and
    /// element <paramref name="stride"/>, destination = w₀·x_j + Σ_k w_k·(x_{j−k} + x_{j+k}), accumulated in the order of
    /// <see cref="ManagedKernels.GaussianBlur"/>.
    /// </summary>
    public static void BlurAxis(Index1D t, ArrayView<float> source, ArrayView<float> destination, ArrayView<float> weights, int radius, int length, long stride, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var j = (int)((i / stride) % length);
            var start = i - (j * stride);
            var acc = weights[0] * source[i];
            for (var k = 1; k <= radius; k++)
            {
                var lo = j - k < 0 ? j - k + length : j - k;
                var hi = j + k >= length ? j + k - length : j + k;
                acc += weights[k] * (source[start + (lo * stride)] + source[start + (hi * stride)]);
            }

            destination[i] = acc;
        }
    }

    /// <summary>The Fourier-space Gaussian filter (see <see cref="IComputeBackend.GaussianFourierFilter"/>) with exponent factor <paramref name="inverse"/> = −1/(2σ²), on scale · spectrum.</summary>
    public static void FourierFilter(Index1D t, ArrayView<Complex32> spectrum, int nz, int ny, int nx, double inverse, float scale, long n, int threads)
    {
        for (long i = t; i < n; i += threads)
        {
            var x = (int)(i % nx);
            var y = (int)((i / nx) % ny);
            var z = (int)(i / ((long)nx * ny));
            var kx = x <= nx / 2 ? x : x - nx;
            var ky = y <= ny / 2 ? y : y - ny;
            var kz = z <= nz / 2 ? z : z - nz;
            var k2 = ((double)kz * kz) + ((double)ky * ky) + ((double)kx * kx);
            var w = k2 == 0 ? 1f : (float)DeviceMath.Exp(inverse * k2);
            var v = spectrum[i];
            spectrum[i] = new Complex32(w * (scale * v.Re), w * (scale * v.Im));
        }
    }
}
