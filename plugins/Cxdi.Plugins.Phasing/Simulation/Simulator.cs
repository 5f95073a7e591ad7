using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Simulation;

/// <summary>Makes a compact random object and its noisy, masked far-field pattern, with the object kept as ground truth.</summary>
public static class Simulator
{
    /// <summary>Simulates data for <paramref name="options"/>, using <paramref name="backend"/> for the FFT.</summary>
    public static DiffractionData Simulate(SimulateOptions options, IComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Series > 0)
        {
            return SeriesSimulator.Simulate(options, backend);
        }

        var n = options.Size;
        var shape = options.Dims == 3 ? Shape.Of(n, n, n) : Shape.Of(n, n);
        var random = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        var truth = MakeObject(shape, options, random);

        var wave = ArrayTools.IfftShift<Complex32>(truth, shape);
        backend.Transform(wave, shape, FftDirection.Forward);
        var centred = ArrayTools.FftShift<Complex32>(wave, shape);
        double total = 0;
        foreach (var z in centred)
        {
            total += z.Norm2;
        }

        var scale = options.Photons / total;
        var intensity = new float[shape.Length];
        for (var i = 0; i < intensity.Length; i++)
        {
            intensity[i] = (float)Poisson(random, centred[i].Norm2 * scale);
        }

        var mask = new uint[shape.Length];
        var beamstop = options.BeamstopRadiusPx > 0 ? options.BeamstopRadiusPx : options.BeamstopRadius * options.Oversampling;
        var half = n / 2;
        for (var z = 0; z < shape.Nz; z++)
        {
            var dz = shape.Is3D ? z - half : 0;
            for (var y = 0; y < n; y++)
            {
                for (var x = 0; x < n; x++)
                {
                    var i = (((long)z * n) + y) * n + x;
                    double dy = y - half, dx = x - half;
                    if (beamstop > 0 && (dz * dz) + (dy * dy) + (dx * dx) <= beamstop * beamstop)
                    {
                        mask[i] |= (uint)MaskFlags.Beamstop;
                    }

                    foreach (var offset in options.GapOffsets)
                    {
                        if (options.GapWidth > 0 && (InGap(y - half, offset, options.GapWidth) || InGap(x - half, offset, options.GapWidth)))
                        {
                            mask[i] |= (uint)MaskFlags.Gap;
                        }
                    }

                    if (mask[i] != 0)
                    {
                        intensity[i] = 0;
                    }
                }
            }
        }

        var data = new DiffractionData(shape, intensity, mask) { GroundTruth = truth };
        data.Metadata["simulated"] = $"{options.Dims}D {shape}, oversampling {options.Oversampling}, {options.Photons:G3} photons, seed {options.Seed}";
        return data;
    }

    internal static bool InGap(int coordinate, int offset, int width) => coordinate >= offset - (width / 2) && coordinate < offset - (width / 2) + width;

    internal static Complex32[] MakeObject(Shape shape, SimulateOptions options, Random random)
    {
        var n = options.Size;
        var radius = n / options.Oversampling / 2;
        var is3D = shape.Is3D;
        var amplitude = new float[shape.Length];
        var blobs = Enumerable.Range(0, options.Blobs).Select(_ => (
            C: new[] { is3D ? (random.NextDouble() - 0.5) * radius : 0, (random.NextDouble() - 0.5) * radius, (random.NextDouble() - 0.5) * radius },
            A: new[] { radius * (0.3 + (0.3 * random.NextDouble())), radius * (0.3 + (0.3 * random.NextDouble())), radius * (0.3 + (0.3 * random.NextDouble())) })).ToArray();
        var texture = Noise(shape, random, radius / 5);
        var phase = options.Complex ? Noise(shape, random, radius / 3) : null;
        var half = n / 2;
        for (var z = 0; z < shape.Nz; z++)
        {
            double pz = is3D ? z - half : 0;
            for (var y = 0; y < n; y++)
            {
                for (var x = 0; x < n; x++)
                {
                    double py = y - half, px = x - half;
                    if ((pz * pz) + (py * py) + (px * px) > radius * radius)
                    {
                        continue;
                    }

                    var inside = blobs.Any(b =>
                    {
                        var u = is3D ? (pz - b.C[0]) / b.A[0] : 0;
                        var v = (py - b.C[1]) / b.A[1];
                        var w = (px - b.C[2]) / b.A[2];
                        return (u * u) + (v * v) + (w * w) <= 1;
                    });
                    if (inside)
                    {
                        var i = (((long)z * n) + y) * n + x;
                        amplitude[i] = (float)(0.4 + (0.6 * texture[i]));
                    }
                }
            }
        }

        var result = new Complex32[shape.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = amplitude[i] > 0 ? Complex32.FromPolar(amplitude[i], phase is null ? 0 : (float)(2.0 * (phase[i] - 0.5))) : default;
        }

        return result;
    }

    /// <summary>Smooth random field in [0, 1]: white noise blurred by <paramref name="sigma"/> px, rescaled.</summary>
    private static float[] Noise(Shape shape, Random random, double sigma)
    {
        var field = new float[shape.Length];
        for (var i = 0; i < field.Length; i++)
        {
            field[i] = (float)random.NextDouble();
        }

        ArrayTools.GaussianBlur(field, shape, Math.Max(sigma, 0.5));
        float min = field.Min(), max = field.Max();
        for (var i = 0; i < field.Length; i++)
        {
            field[i] = max > min ? (field[i] - min) / (max - min) : 0.5f;
        }

        return field;
    }

    /// <summary>A Poisson deviate: Knuth's product method below 30, a rounded normal approximation above.</summary>
    internal static double Poisson(Random random, double mean)
    {
        if (!(mean > 0))
        {
            return 0;
        }

        if (mean < 30)
        {
            var limit = Math.Exp(-mean);
            var k = 0;
            var p = random.NextDouble();
            while (p > limit)
            {
                k++;
                p *= random.NextDouble();
            }

            return k;
        }

        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var gauss = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Max(0, Math.Round(mean + (Math.Sqrt(mean) * gauss)));
    }
}
