using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>The outcome of aligning one object on a reference.</summary>
/// <param name="Aligned">The object after ramp removal, twin choice, sub-pixel translation and global phase.</param>
/// <param name="Twin">True when the point-inverted complex conjugate matched better.</param>
/// <param name="Shift">Translation applied (z, y, x) in pixels.</param>
/// <param name="Correlation">|Σ ref·conj(obj)| / (‖ref‖‖obj‖) at the best shift, 0 … 1.</param>
internal sealed record Alignment(Complex32[] Aligned, bool Twin, double[] Shift, double Correlation);

/// <summary>
/// Puts reconstructions in a common frame so they can be compared and averaged: linear phase ramp removal, twin
/// detection (the point-inverted complex conjugate has the same diffraction pattern), sub-pixel registration by the
/// cross-correlation peak refined with a parabola per axis and applied as a Fourier phase ramp, and global phase removal.
/// Also the PRTF and R_match. Host-side, using <see cref="IComputeBackend.Transform"/>.
/// </summary>
internal static class Canonicalizer
{
    /// <summary>Removes the amplitude-weighted mean phase gradient along each axis, in place.</summary>
    public static void RemovePhaseRamp(Complex32[] obj, Shape shape)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        double[] gradient = new double[3];
        var strides = new[] { (long)ny * nx, nx, 1L };
        var lengths = new[] { nz, ny, nx };
        for (var axis = 0; axis < 3; axis++)
        {
            if (lengths[axis] < 2)
            {
                continue;
            }

            double re = 0, im = 0;
            for (var z = 0; z < nz; z++)
            {
                for (var y = 0; y < ny; y++)
                {
                    for (var x = 0; x < nx; x++)
                    {
                        var c = axis == 0 ? z : axis == 1 ? y : x;
                        if (c + 1 >= lengths[axis])
                        {
                            continue;
                        }

                        var i = (((long)z * ny) + y) * nx + x;
                        var a = obj[i];
                        var b = obj[i + strides[axis]];
                        re += (b.Re * a.Re) + (b.Im * a.Im);
                        im += (b.Im * a.Re) - (b.Re * a.Im);
                    }
                }
            }

            gradient[axis] = Math.Atan2(im, re);
        }

        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var phase = -((gradient[0] * (z - (nz / 2))) + (gradient[1] * (y - (ny / 2))) + (gradient[2] * (x - (nx / 2))));
                    var i = (((long)z * ny) + y) * nx + x;
                    obj[i] = Complex32.FromPolar(1, (float)phase) * obj[i];
                }
            }
        }
    }

    /// <summary>Aligns <paramref name="obj"/> on <paramref name="reference"/> (both centred, same shape).</summary>
    public static Alignment Align(Complex32[] reference, Complex32[] obj, Shape shape, IComputeBackend backend)
    {
        var fRef = (Complex32[])reference.Clone();
        backend.Transform(fRef, shape, FftDirection.Forward);
        var fObj = (Complex32[])obj.Clone();
        backend.Transform(fObj, shape, FftDirection.Forward);
        var norm = Math.Sqrt(Norm2(reference) * Norm2(obj));

        Alignment? best = null;
        foreach (var twin in new[] { false, true })
        {
            var g = twin ? fObj.Select(z => z.Conjugate()).ToArray() : (Complex32[])fObj.Clone();
            var cc = new Complex32[g.Length];
            for (var i = 0; i < cc.Length; i++)
            {
                cc[i] = fRef[i] * g[i].Conjugate();
            }

            backend.Transform(cc, shape, FftDirection.Inverse);
            var peak = 0;
            var peakValue = -1f;
            for (var i = 0; i < cc.Length; i++)
            {
                var v = cc[i].Norm2;
                if (v > peakValue)
                {
                    peakValue = v;
                    peak = i;
                }
            }

            var correlation = norm > 0 ? Math.Sqrt(peakValue) / norm : 0;
            if (best is not null && correlation <= best.Correlation)
            {
                continue;
            }

            var shift = SubPixelPeak(cc, shape, peak);
            var aligned = ApplyShift(g, shape, shift, backend);
            double re = 0, im = 0;
            for (var i = 0; i < aligned.Length; i++)
            {
                var p = reference[i] * aligned[i].Conjugate();
                re += p.Re;
                im += p.Im;
            }

            var rotation = Complex32.FromPolar(1, (float)Math.Atan2(im, re));
            for (var i = 0; i < aligned.Length; i++)
            {
                aligned[i] = rotation * aligned[i];
            }

            best = new Alignment(aligned, twin, shift, correlation);
        }

        return best!;
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
    /// after the PRTF has been above 1/e, where it falls below 1/e (null when it never does).
    /// </summary>
    public static (FrequencyCurve Curve, double? Cutoff) Prtf(Complex32[] average, Shape shape, float[] amplitude, byte[] classes, IComputeBackend backend)
    {
        var f = (Complex32[])average.Clone();
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

    private static Complex32[] ApplyShift(Complex32[] spectrum, Shape shape, double[] shift, IComputeBackend backend)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var result = new Complex32[spectrum.Length];
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
                    result[i] = Complex32.FromPolar(1, (float)phase) * spectrum[i];
                }
            }
        }

        backend.Transform(result, shape, FftDirection.Inverse);
        return result;
    }
}
