using System.Globalization;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>The outcome of aligning one object on a reference.</summary>
/// <param name="Aligned">The object after twin choice, sub-pixel translation, relative phase ramp and global phase.</param>
/// <param name="Twin">True when the point-inverted complex conjugate matched better.</param>
/// <param name="Shift">Translation applied (z, y, x) in pixels.</param>
/// <param name="Correlation">|Σ ref·conj(obj)| / (‖ref‖‖obj‖) at the best shift, 0 … 1.</param>
internal sealed record Alignment(Complex32[] Aligned, bool Twin, double[] Shift, double Correlation);

/// <summary>
/// Puts reconstructions in the frame of a reference run so they can be compared and averaged: twin detection (the
/// point-inverted complex conjugate has the same diffraction pattern), sub-pixel registration by the cross-correlation
/// peak refined with a parabola per axis and applied as a Fourier phase ramp, the linear phase ramp relative to the
/// reference and the global phase. The reference is never changed, so one kept run is the result as it is.
/// Also the PRTF and R_match. Host-side, using <see cref="IComputeBackend.Transform"/>.
/// </summary>
internal static class Canonicalizer
{
    /// <summary>
    /// Removes from <paramref name="obj"/>, in place, its linear phase ramp relative to <paramref name="reference"/>: the
    /// mean gradient along each axis of the phase of reference·conj(obj) (weighted by both amplitudes), applied about
    /// the amplitude-weighted centre so the global phase moves least. A ramp is a shift of the zero frequency: runs that
    /// put it a fraction of a pixel apart differ by one, the reference itself is never changed.
    /// </summary>
    public static void RemoveRelativeRamp(Complex32[] reference, Complex32[] obj, Shape shape)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var strides = new[] { (long)ny * nx, nx, 1L };
        var lengths = new[] { nz, ny, nx };
        var gradient = new double[3];
        var sums = new double[6];
        double cz = 0, cy = 0, cx = 0, weight = 0;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var i = (((long)z * ny) + y) * nx + x;
                    var p = reference[i] * obj[i].Conjugate();
                    var w = p.Abs;
                    cz += w * z;
                    cy += w * y;
                    cx += w * x;
                    weight += w;
                    for (var axis = 0; axis < 3; axis++)
                    {
                        var at = axis == 0 ? z : axis == 1 ? y : x;
                        if (at + 1 >= lengths[axis])
                        {
                            continue;
                        }

                        var j = i + strides[axis];
                        var q = reference[j] * obj[j].Conjugate();
                        sums[2 * axis] += (q.Re * p.Re) + (q.Im * p.Im);
                        sums[(2 * axis) + 1] += (q.Im * p.Re) - (q.Re * p.Im);
                    }
                }
            }
        }

        if (!(weight > 0))
        {
            return;
        }

        for (var axis = 0; axis < 3; axis++)
        {
            gradient[axis] = lengths[axis] > 1 ? Math.Atan2(sums[(2 * axis) + 1], sums[2 * axis]) : 0;
        }

        (cz, cy, cx) = (cz / weight, cy / weight, cx / weight);
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var phase = (gradient[0] * (z - cz)) + (gradient[1] * (y - cy)) + (gradient[2] * (x - cx));
                    var i = (((long)z * ny) + y) * nx + x;
                    obj[i] = Complex32.FromPolar(1, (float)phase) * obj[i];
                }
            }
        }
    }

    /// <summary>
    /// Normalised real-space error ‖a·obj − truth‖ / ‖truth‖ of a reconstruction against a known object (simulations):
    /// obj aligned on truth (sub-pixel shift, twin, relative phase ramp, global phase), a the best real scale.
    /// </summary>
    public static double ErrorToTruth(Complex32[] truth, Complex32[] obj, Shape shape, IComputeBackend backend)
    {
        var aligned = Align(truth, obj, shape, backend).Aligned;
        double dot = 0, norm = 0, truthNorm = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            dot += (truth[i].Re * aligned[i].Re) + (truth[i].Im * aligned[i].Im);
            norm += aligned[i].Norm2;
            truthNorm += truth[i].Norm2;
        }

        var a = norm > 0 ? dot / norm : 0;
        double err = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            err += (((float)a * aligned[i]) - truth[i]).Norm2;
        }

        return truthNorm > 0 ? Math.Sqrt(err / truthNorm) : double.NaN;
    }

    /// <summary>Aligns <paramref name="obj"/> on <paramref name="reference"/> (both centred, same shape).</summary>
    public static Alignment Align(Complex32[] reference, Complex32[] obj, Shape shape, IComputeBackend backend) =>
        Align(reference, Spectrum(reference, shape, backend), obj, shape, backend);

    /// <summary>The forward transform of <paramref name="values"/> (a copy).</summary>
    public static Complex32[] Spectrum(Complex32[] values, Shape shape, IComputeBackend backend)
    {
        var spectrum = (Complex32[])values.Clone();
        backend.Transform(spectrum, shape, FftDirection.Forward);
        return spectrum;
    }

    /// <summary>
    /// Aligns <paramref name="obj"/> on <paramref name="reference"/> whose transform is <paramref name="referenceSpectrum"/>.
    /// Holds two arrays besides its inputs (the object's spectrum, and the cross-correlation that becomes the result):
    /// the twin's spectrum is the conjugate of the object's, so it is never stored.
    /// </summary>
    public static Alignment Align(Complex32[] reference, Complex32[] referenceSpectrum, Complex32[] obj, Shape shape, IComputeBackend backend)
    {
        var spectrum = Spectrum(obj, shape, backend);
        var norm = Math.Sqrt(Norm2(reference) * Norm2(obj));
        var work = new Complex32[spectrum.Length];
        var (bestTwin, shift, bestCorrelation) = BestShift(referenceSpectrum, spectrum, work, shape, norm, [false, true], backend);
        ApplyShift(spectrum, bestTwin, work, shape, shift, backend);
        RemoveRelativeRamp(reference, work, shape);

        // A phase ramp biases the sub-pixel peak: once it is gone, the residual shift is measured and undone (the
        // object's spectrum is no longer needed, so its array holds the aligned object's).
        Array.Copy(work, spectrum, work.Length);
        backend.Transform(spectrum, shape, FftDirection.Forward);
        var (_, residual, correlation) = BestShift(referenceSpectrum, spectrum, work, shape, norm, [false], backend);
        ApplyShift(spectrum, false, work, shape, residual, backend);
        RemoveRelativeRamp(reference, work, shape);
        shift = [.. shift.Zip(residual, (a, b) => a + b)];
        bestCorrelation = Math.Max(bestCorrelation, correlation);

        double re = 0, im = 0;
        for (var i = 0; i < work.Length; i++)
        {
            var p = reference[i] * work[i].Conjugate();
            re += p.Re;
            im += p.Im;
        }

        var rotation = Complex32.FromPolar(1, (float)Math.Atan2(im, re));
        for (var i = 0; i < work.Length; i++)
        {
            work[i] = rotation * work[i];
        }

        return new Alignment(work, bestTwin, shift, bestCorrelation);
    }

    /// <summary>The twin choice and sub-pixel shift with the highest cross-correlation peak; <paramref name="work"/> is scratch.</summary>
    private static (bool Twin, double[] Shift, double Correlation) BestShift(Complex32[] referenceSpectrum, Complex32[] spectrum, Complex32[] work, Shape shape, double norm, bool[] twins, IComputeBackend backend)
    {
        (bool Twin, double[] Shift, double Correlation)? best = null;
        foreach (var twin in twins)
        {
            // Cross-correlation spectrum F_ref · conj(G), with G = F_obj, or conj(F_obj) for the twin.
            for (var i = 0; i < work.Length; i++)
            {
                work[i] = referenceSpectrum[i] * (twin ? spectrum[i] : spectrum[i].Conjugate());
            }

            backend.Transform(work, shape, FftDirection.Inverse);
            var peak = 0;
            var peakValue = -1f;
            for (var i = 0; i < work.Length; i++)
            {
                var v = work[i].Norm2;
                if (v > peakValue)
                {
                    peakValue = v;
                    peak = i;
                }
            }

            var correlation = norm > 0 ? Math.Sqrt(peakValue) / norm : 0;
            if (best is null || correlation > best.Value.Correlation)
            {
                best = (twin, SubPixelPeak(work, shape, peak), correlation);
            }
        }

        return best!.Value;
    }

    /// <summary>R_match = √(Σ|obj − ref|² / Σ|ref|²) of an aligned object (0 = identical).</summary>
    public static double RMatch(Complex32[] reference, Complex32[] aligned)
    {
        double num = 0, den = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            num += (aligned[i] - reference[i]).Norm2;
            den += reference[i].Norm2;
        }

        return den > 0 ? Math.Sqrt(num / den) : 0;
    }

    /// <summary>
    /// PRTF: the shell average of |FT(average)| / √I_obs over measured pixels with I_obs &gt; 0, in shells one pixel wide
    /// of the radius in units of the Nyquist frequency (of the smallest dimension); the cutoff is the first shell,
    /// after the PRTF has been above 1/e, where it falls below 1/e (null when it never does). <paramref name="average"/> is transformed in place (pass a copy).
    /// </summary>
    public static (FrequencyCurve Curve, double? Cutoff) Prtf(Complex32[] average, Shape shape, float[] amplitude, byte[] classes, IComputeBackend backend)
    {
        // Transformed in place: the caller passes a copy it does not need.
        var f = average;
        backend.Transform(f, shape, FftDirection.Forward);
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var half = (shape.Is3D ? Math.Min(nz, Math.Min(ny, nx)) : Math.Min(ny, nx)) / 2;
        var shells = (int)Math.Ceiling(half * Math.Sqrt(shape.Rank)) + 1;
        var sum = new double[shells];
        var count = new long[shells];
        for (var z = 0; z < nz; z++)
        {
            var fz = shape.Is3D ? ArrayTools.Signed(z, nz) / (nz / 2.0) : 0;
            for (var y = 0; y < ny; y++)
            {
                var fy = ArrayTools.Signed(y, ny) / (ny / 2.0);
                for (var x = 0; x < nx; x++)
                {
                    var i = (((long)z * ny) + y) * nx + x;
                    var a = amplitude[i];
                    if (classes[i] == PixelClass.Unknown || !(a > 0))
                    {
                        continue;
                    }

                    var fx = ArrayTools.Signed(x, nx) / (nx / 2.0);
                    var r = Math.Sqrt((fz * fz) + (fy * fy) + (fx * fx));
                    var shell = Math.Min(shells - 1, (int)Math.Round(r * half));
                    sum[shell] += f[i].Abs / a;
                    count[shell]++;
                }
            }
        }

        var freq = new List<double>();
        var value = new List<double>();
        for (var s = 0; s < shells; s++)
        {
            if (count[s] > 0)
            {
                freq.Add(s / (double)half);
                value.Add(sum[s] / count[s]);
            }
        }

        double? cutoff = null;
        var above = false;
        var threshold = Math.Exp(-1);
        for (var s = 0; s < value.Count; s++)
        {
            if (value[s] >= threshold)
            {
                above = true;
            }
            else if (above)
            {
                cutoff = freq[s];
                break;
            }
        }

        return (new FrequencyCurve([.. freq], [.. value]), cutoff);
    }

    /// <summary>
    /// Fourier shell correlation of two objects (the averages of two disjoint halves of the kept runs): per shell one pixel
    /// wide, Re Σ F_a·conj(F_b) / √(Σ|F_a|² Σ|F_b|²), in units of the Nyquist frequency of the smallest dimension; the
    /// cut-off is the first shell where it falls below 1/7 (null when it never does). Both arrays are transformed in place.
    /// </summary>
    public static (FrequencyCurve Curve, double? Cutoff) Fsc(Complex32[] a, Complex32[] b, Shape shape, IComputeBackend backend)
    {
        backend.Transform(a, shape, FftDirection.Forward);
        backend.Transform(b, shape, FftDirection.Forward);
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var half = (shape.Is3D ? Math.Min(nz, Math.Min(ny, nx)) : Math.Min(ny, nx)) / 2;
        var shells = half + 1;
        var cross = new double[shells];
        var normA = new double[shells];
        var normB = new double[shells];
        for (var z = 0; z < nz; z++)
        {
            var fz = shape.Is3D ? ArrayTools.Signed(z, nz) / (nz / 2.0) : 0;
            for (var y = 0; y < ny; y++)
            {
                var fy = ArrayTools.Signed(y, ny) / (ny / 2.0);
                for (var x = 0; x < nx; x++)
                {
                    var fx = ArrayTools.Signed(x, nx) / (nx / 2.0);
                    var shell = (int)Math.Round(Math.Sqrt((fz * fz) + (fy * fy) + (fx * fx)) * half);
                    if (shell >= shells)
                    {
                        continue;
                    }

                    var i = (((long)z * ny) + y) * nx + x;
                    cross[shell] += (a[i].Re * b[i].Re) + (a[i].Im * b[i].Im);
                    normA[shell] += a[i].Norm2;
                    normB[shell] += b[i].Norm2;
                }
            }
        }

        var freq = new List<double>();
        var value = new List<double>();
        double? cutoff = null;
        for (var s = 0; s < shells; s++)
        {
            var norm = Math.Sqrt(normA[s] * normB[s]);
            if (!(norm > 0))
            {
                continue;
            }

            freq.Add(s / (double)half);
            value.Add(cross[s] / norm);
            if (cutoff is null && value[^1] < 1.0 / 7)
            {
                cutoff = freq[^1];
            }
        }

        return (new FrequencyCurve([.. freq], [.. value]), cutoff);
    }

    /// <summary>
    /// Sentences for the findings about a PRTF curve and its cut-off: why there is no cut-off (the PRTF stays above 1/e, so the
    /// detector edge limits the resolution, or it never reaches 1/e) and where it exceeds 1 (noise or few measured pixels).
    /// </summary>
    public static List<string> PrtfNotes(FrequencyCurve curve, double? cutoff)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var notes = new List<string>();
        var (f, v) = (curve.Frequency, curve.Value);
        if (v.Length == 0)
        {
            return notes;
        }

        if (cutoff is null)
        {
            notes.Add(v.Any(x => x >= Math.Exp(-1))
                ? string.Create(CultureInfo.InvariantCulture, $"PRTF stays above 1/e up to Nyquist (to {f[^1]:0.##} of Nyquist in the corners): resolution limited by the detector edge, not by the phasing")
                : "PRTF never reaches 1/e: the kept runs do not reproduce the measured amplitudes at any frequency, so there is no resolution estimate (check the mask, the support and the number of iterations)");
        }

        var above = Enumerable.Range(0, v.Length).Where(s => v[s] > 1).ToList();
        if (above.Count > 0)
        {
            var worst = above.MaxBy(s => v[s]);
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"PRTF above 1 in {above.Count} of {v.Length} shells (up to {v[worst]:0.##} at {f[worst]:0.##} of Nyquist): there the measured amplitude is dominated by noise or few pixels are measured, so those shells say nothing about the phasing"));
        }

        return notes;
    }

    private static double Norm2(Complex32[] a)
    {
        double s = 0;
        foreach (var z in a)
        {
            s += z.Norm2;
        }

        return s;
    }

    private static double[] SubPixelPeak(Complex32[] cc, Shape shape, int peak)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var z0 = peak / (ny * nx);
        var y0 = peak / nx % ny;
        var x0 = peak % nx;
        double At(int z, int y, int x) => cc[(((long)ArrayTools.Mod(z, nz) * ny) + ArrayTools.Mod(y, ny)) * nx + ArrayTools.Mod(x, nx)].Abs;
        static double Refine(double m, double c, double p)
        {
            var d = m - (2 * c) + p;
            return d < 0 ? Math.Clamp(0.5 * (m - p) / d, -0.5, 0.5) : 0;
        }

        var c0 = At(z0, y0, x0);
        var dz = shape.Is3D ? Refine(At(z0 - 1, y0, x0), c0, At(z0 + 1, y0, x0)) : 0;
        var dy = Refine(At(z0, y0 - 1, x0), c0, At(z0, y0 + 1, x0));
        var dx = Refine(At(z0, y0, x0 - 1), c0, At(z0, y0, x0 + 1));
        return [shape.Is3D ? ArrayTools.Signed(z0, nz) + dz : 0, ArrayTools.Signed(y0, ny) + dy, ArrayTools.Signed(x0, nx) + dx];
    }

    /// <summary>result = IFT(G · e^{−2πi k·shift}) with G = <paramref name="spectrum"/>, or its conjugate for the twin.</summary>
    private static void ApplyShift(Complex32[] spectrum, bool twin, Complex32[] result, Shape shape, double[] shift, IComputeBackend backend)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        for (var z = 0; z < nz; z++)
        {
            var pz = shift[0] * ArrayTools.Signed(z, nz) / nz;
            for (var y = 0; y < ny; y++)
            {
                var py = shift[1] * ArrayTools.Signed(y, ny) / ny;
                for (var x = 0; x < nx; x++)
                {
                    var px = shift[2] * ArrayTools.Signed(x, nx) / nx;
                    var i = (((long)z * ny) + y) * nx + x;
                    var phase = -2 * Math.PI * (pz + py + px);
                    result[i] = Complex32.FromPolar(1, (float)phase) * (twin ? spectrum[i].Conjugate() : spectrum[i]);
                }
            }
        }

        backend.Transform(result, shape, FftDirection.Inverse);
    }
}
