using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Imaging.Tests;

/// <summary>Small synthetic objects, data and reconstruction sets with known content.</summary>
internal static class Synthetic
{
    /// <summary>A disc of radius <paramref name="radius"/> centred in an n×n array: amplitude 1 with a phase ramp along x, plus a
    /// 5×5 block of amplitude 2 at rows [hotRow, hotRow+5) and columns [hotCol, hotCol+5).</summary>
    public static (Complex32[] Object, byte[] Support) Disc(int n, int radius, int hotRow, int hotCol)
    {
        var obj = new Complex32[n * n];
        var support = new byte[n * n];
        var c = n / 2;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                var inside = ((x - c) * (x - c)) + ((y - c) * (y - c)) <= radius * radius;
                if (!inside)
                {
                    continue;
                }

                var hot = y >= hotRow && y < hotRow + 5 && x >= hotCol && x < hotCol + 5;
                var amplitude = hot ? 2f : 1f;
                var phase = 2.5f * (x - c) / radius;
                obj[(y * n) + x] = Complex32.FromPolar(amplitude, phase);
                support[(y * n) + x] = 1;
            }
        }

        return (obj, support);
    }

    /// <summary>A ball of radius <paramref name="radius"/> centred at (cz, cy, cx) in an n³ array, amplitude = 1 + z/n.</summary>
    public static (Complex32[] Object, byte[] Support) Ball(int n, int radius, int cz, int cy, int cx)
    {
        var obj = new Complex32[n * n * n];
        var support = new byte[obj.Length];
        for (var z = 0; z < n; z++)
        {
            for (var y = 0; y < n; y++)
            {
                for (var x = 0; x < n; x++)
                {
                    if (((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) + ((z - cz) * (z - cz)) > radius * radius)
                    {
                        continue;
                    }

                    var i = (((z * n) + y) * n) + x;
                    obj[i] = Complex32.FromPolar(1f + ((float)z / n), 0.1f * (y - cy));
                    support[i] = 1;
                }
            }
        }

        return (obj, support);
    }

    /// <summary>|DFT|² of a 2D object scaled to <paramref name="photons"/> in the brightest pixel, zero frequency centred, with a
    /// 5×5 beamstop masked in the centre and one masked column (a module gap).</summary>
    public static DiffractionData Diffraction(Complex32[] obj, int n, double photons)
    {
        var intensity = new float[n * n];
        var cos = new double[n];
        var sin = new double[n];
        for (var k = 0; k < n; k++)
        {
            cos[k] = Math.Cos(2 * Math.PI * k / n);
            sin[k] = Math.Sin(2 * Math.PI * k / n);
        }

        var rows = new (double Re, double Im)[n * n];
        for (var y = 0; y < n; y++)
        {
            for (var kx = 0; kx < n; kx++)
            {
                double re = 0, im = 0;
                for (var x = 0; x < n; x++)
                {
                    var v = obj[(y * n) + x];
                    var t = (kx * x) % n;
                    re += (v.Re * cos[t]) + (v.Im * sin[t]);
                    im += (v.Im * cos[t]) - (v.Re * sin[t]);
                }

                rows[(y * n) + kx] = (re, im);
            }
        }

        for (var kx = 0; kx < n; kx++)
        {
            for (var ky = 0; ky < n; ky++)
            {
                double re = 0, im = 0;
                for (var y = 0; y < n; y++)
                {
                    var (vr, vi) = rows[(y * n) + kx];
                    var t = (ky * y) % n;
                    re += (vr * cos[t]) + (vi * sin[t]);
                    im += (vi * cos[t]) - (vr * sin[t]);
                }

                var sy = (ky + (n / 2)) % n;
                var sx = (kx + (n / 2)) % n;
                intensity[(sy * n) + sx] = (float)((re * re) + (im * im));
            }
        }

        var max = intensity.Max();
        var mask = new uint[n * n];
        for (var i = 0; i < intensity.Length; i++)
        {
            intensity[i] = MathF.Floor((float)(intensity[i] / max * photons));
        }

        for (var y = (n / 2) - 2; y <= (n / 2) + 2; y++)
        {
            for (var x = (n / 2) - 2; x <= (n / 2) + 2; x++)
            {
                mask[(y * n) + x] = (uint)MaskFlags.Beamstop;
            }
        }

        for (var y = 0; y < n; y++)
        {
            mask[(y * n) + (n / 4)] = (uint)MaskFlags.Gap;
        }

        return new DiffractionData(Shape.Of(n, n), intensity, mask);
    }

    /// <summary>A reconstruction set of <paramref name="runs"/> runs of the disc, every other run kept, with metric histories and a PRTF.</summary>
    public static ReconstructionSet Set(int n, int runs, bool withAverage, bool withData)
    {
        var (obj, support) = Disc(n, n / 5, (n / 2) - 8, (n / 2) + 4);
        var set = new ReconstructionSet { Shape = Shape.Of(n, n), PixelSize = 10e-9 };
        for (var r = 0; r < runs; r++)
        {
            var run = new Reconstruction
            {
                Index = r,
                Seed = 1000 + r,
                Shape = set.Shape,
                Object = (Complex32[])obj.Clone(),
                Support = (byte[])support.Clone(),
                State = r % 2 == 0 ? RunState.Kept : RunState.Rejected,
                Llk = 1.0 + (0.1 * r),
                FreeLlk = 1.05 + (0.1 * r),
                SupportSize = support.Count(b => b != 0),
            };
            for (var cycle = 1; cycle <= 200; cycle++)
            {
                var llk = run.Llk + (50 * Math.Exp(-cycle / (20.0 + (5 * r))));
                run.History.Add(new MetricSample(cycle, cycle < 150 ? "HIO" : "ER", llk, llk * 1.05, llk * 2, run.SupportSize));
            }

            set.Runs.Add(run);
        }

        if (withAverage)
        {
            set.Average = obj;
            set.AverageSupport = support;
        }

        var freq = Enumerable.Range(1, 30).Select(i => i / 30.0).ToArray();
        set.Prtf = new FrequencyCurve(freq, freq.Select(f => 1 / (1 + Math.Exp((f - 0.6) * 12))).ToArray());
        set.PrtfCutoff = 0.6 + (Math.Log((Math.E - 1)) / 12);
        if (withData)
        {
            set.Data = Diffraction(obj, n, 1e6);
        }

        return set;
    }
}
