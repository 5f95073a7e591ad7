using Cxdi.Plugins.Ml.Numerics;

namespace Cxdi.Plugins.Ml.Simulation;

/// <summary>What to simulate in 3D: training volumes that match a measured volume.</summary>
/// <param name="Nz">Slowest axis of the volume.</param>
/// <param name="Ny">Rows of the volume.</param>
/// <param name="Nx">Columns of the volume (fastest axis).</param>
/// <param name="ObjectSize">Object diameter in object-space voxels of the volume's grid (the oversampling per axis is about max(Nz, Ny, Nx) / ObjectSize).</param>
/// <param name="Photons">Expected photons summed over the measured voxels.</param>
/// <param name="Mask">Row-major mask of the volume (non-zero unknown bits = not measured), or null for none.</param>
internal sealed record VolumeSpec(int Nz, int Ny, int Nx, double ObjectSize, double Photons, uint[]? Mask)
{
    /// <summary>Voxels of the volume.</summary>
    public long Length => (long)Nz * Ny * Nx;

    /// <summary>The simulation parameters as JSON-friendly values, for provenance.</summary>
    public Dictionary<string, object> Describe() => new(StringComparer.Ordinal)
    {
        ["nz"] = Nz,
        ["ny"] = Ny,
        ["nx"] = Nx,
        ["object_size_px"] = Math.Round(ObjectSize, 3),
        ["oversampling"] = Math.Round(Math.Max(Nz, Math.Max(Ny, Nx)) / ObjectSize, 3),
        ["photons"] = Photons,
        ["masked_voxels"] = Mask?.Count(m => m != 0) ?? 0,
    };
}

/// <summary>One simulated volume: the noiseless expected counts, a Poisson draw of them, and the mask.</summary>
internal sealed record SimulatedVolume(int Nz, int Ny, int Nx, float[] Expected, float[] Counts, uint[] Mask);

/// <summary>
/// The 3D counterpart of <see cref="PatternSimulator"/>: random compact objects (1–4 randomly oriented ellipsoids with a
/// smooth positive texture) centred in a power-of-two cube, their far-field intensity |FFT|², cropped to the volume's
/// shape, scaled to the photon level over the measured voxels and Poisson-sampled.
/// </summary>
internal static class VolumeSimulator
{
    /// <summary>Simulates one volume with the random stream <paramref name="seed"/>.</summary>
    public static SimulatedVolume Simulate(VolumeSpec spec, int seed)
    {
        var random = new Random(seed);
        var largest = Math.Max(spec.Nz, Math.Max(spec.Ny, spec.Nx));
        var n = 1;
        while (n < largest)
        {
            n <<= 1;
        }

        // The speckle size N/d of the volume's largest axis is kept on the n-grid: d_n = d · n / N.
        var diameter = Math.Clamp(spec.ObjectSize * n / largest, 3, n / 2.0);
        var re = RandomObject(n, diameter, random);
        var im = new double[re.Length];
        Fft3.Transform(re, im, n, n, n, inverse: false);

        var oz = (n / 2) - (spec.Nz / 2);
        var oy = (n / 2) - (spec.Ny / 2);
        var ox = (n / 2) - (spec.Nx / 2);
        var expected = new float[spec.Length];
        var mask = spec.Mask is null ? new uint[expected.Length] : (uint[])spec.Mask.Clone();
        double measured = 0;
        for (var z = 0; z < spec.Nz; z++)
        {
            // fftshift: pattern index (z + oz) on the n-grid is frequency (z + oz + n/2) mod n of the transform.
            var fz = (z + oz + (n / 2)) % n;
            for (var y = 0; y < spec.Ny; y++)
            {
                var fy = (y + oy + (n / 2)) % n;
                for (var x = 0; x < spec.Nx; x++)
                {
                    var fx = (x + ox + (n / 2)) % n;
                    var f = (((long)fz * n) + fy) * n + fx;
                    var v = (re[f] * re[f]) + (im[f] * im[f]);
                    var i = (((long)z * spec.Ny) + y) * spec.Nx + x;
                    expected[i] = (float)v;
                    if ((mask[i] & (uint)Cxdi.Sdk.Data.MaskFlags.Unknown) == 0)
                    {
                        measured += v;
                    }
                }
            }
        }

        var factor = measured > 0 ? spec.Photons / measured : 0;
        var counts = new float[expected.Length];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = (float)(expected[i] * factor);
            counts[i] = Poisson.Sample(random, expected[i]);
        }

        return new SimulatedVolume(spec.Nz, spec.Ny, spec.Nx, expected, counts, mask);
    }

    /// <summary>A positive object of about <paramref name="diameter"/> voxels on an n³ grid, centred by its centre of mass.</summary>
    internal static double[] RandomObject(int n, double diameter, Random random)
    {
        var obj = new double[(long)n * n * n];
        var radius = diameter / 2;
        var blobs = 1 + random.Next(4);
        var extent = (int)Math.Ceiling(radius) + 2;
        for (var b = 0; b < blobs; b++)
        {
            var c = new double[3];
            for (var k = 0; k < 3; k++)
            {
                c[k] = (random.NextDouble() - 0.5) * radius * 0.6;
            }

            var axes = new double[3];
            for (var k = 0; k < 3; k++)
            {
                axes[k] = radius * (0.45 + (0.45 * random.NextDouble()));
            }

            var rotation = RandomRotation(random);
            for (var z = -extent; z <= extent; z++)
            {
                for (var y = -extent; y <= extent; y++)
                {
                    for (var x = -extent; x <= extent; x++)
                    {
                        double dz = z - c[0], dy = y - c[1], dx = x - c[2], r = 0;
                        for (var k = 0; k < 3; k++)
                        {
                            var u = (rotation[k, 0] * dz) + (rotation[k, 1] * dy) + (rotation[k, 2] * dx);
                            r += u * u / (axes[k] * axes[k]);
                        }

                        if (r <= 1)
                        {
                            long zz = z + (n / 2), yy = y + (n / 2), xx = x + (n / 2);
                            if (zz >= 0 && zz < n && yy >= 0 && yy < n && xx >= 0 && xx < n)
                            {
                                obj[(((zz * n) + yy) * n) + xx] = 1;
                            }
                        }
                    }
                }
            }
        }

        // Smooth texture: a few random cosine waves, amplitude kept in [0.5, 1].
        var waves = new (double Kz, double Ky, double Kx, double Phase, double Weight)[3];
        for (var w = 0; w < waves.Length; w++)
        {
            waves[w] = ((random.NextDouble() - 0.5) * 0.6, (random.NextDouble() - 0.5) * 0.6, (random.NextDouble() - 0.5) * 0.6, random.NextDouble() * 2 * Math.PI, 0.5 * random.NextDouble());
        }

        double sz = 0, sy = 0, sx = 0, sw = 0;
        var lo = Math.Max(0, (n / 2) - extent);
        var hi = Math.Min(n - 1, (n / 2) + extent);
        for (var z = lo; z <= hi; z++)
        {
            for (var y = lo; y <= hi; y++)
            {
                for (var x = lo; x <= hi; x++)
                {
                    var i = (((long)z * n) + y) * n + x;
                    if (obj[i] == 0)
                    {
                        continue;
                    }

                    double t = 0, tw = 0;
                    foreach (var (kz, ky, kx, phase, weight) in waves)
                    {
                        t += weight * Math.Cos((kz * z) + (ky * y) + (kx * x) + phase);
                        tw += weight;
                    }

                    obj[i] = 0.75 + (tw > 0 ? 0.25 * t / tw : 0);
                    sz += z;
                    sy += y;
                    sx += x;
                    sw++;
                }
            }
        }

        // Centre the support's centre of mass at (n/2, n/2, n/2).
        int mz = (n / 2) - (int)Math.Round(sz / sw), my = (n / 2) - (int)Math.Round(sy / sw), mx = (n / 2) - (int)Math.Round(sx / sw);
        if (mz == 0 && my == 0 && mx == 0)
        {
            return obj;
        }

        var moved = new double[obj.Length];
        for (var z = lo; z <= hi; z++)
        {
            for (var y = lo; y <= hi; y++)
            {
                for (var x = lo; x <= hi; x++)
                {
                    long zz = z + mz, yy = y + my, xx = x + mx;
                    if (zz >= 0 && zz < n && yy >= 0 && yy < n && xx >= 0 && xx < n)
                    {
                        moved[(((zz * n) + yy) * n) + xx] = obj[(((long)z * n) + y) * n + x];
                    }
                }
            }
        }

        return moved;
    }

    /// <summary>A uniformly random 3D rotation matrix (from a random unit quaternion).</summary>
    private static double[,] RandomRotation(Random random)
    {
        double u1 = random.NextDouble(), u2 = random.NextDouble() * 2 * Math.PI, u3 = random.NextDouble() * 2 * Math.PI;
        double a = Math.Sqrt(1 - u1), b = Math.Sqrt(u1);
        double w = a * Math.Sin(u2), x = a * Math.Cos(u2), y = b * Math.Sin(u3), z = b * Math.Cos(u3);
        return new[,]
        {
            { 1 - (2 * ((y * y) + (z * z))), 2 * ((x * y) - (z * w)), 2 * ((x * z) + (y * w)) },
            { 2 * ((x * y) + (z * w)), 1 - (2 * ((x * x) + (z * z))), 2 * ((y * z) - (x * w)) },
            { 2 * ((x * z) - (y * w)), 2 * ((y * z) + (x * w)), 1 - (2 * ((x * x) + (y * y))) },
        };
    }
}

/// <summary>In-place 3D complex transforms of row-major nz × ny × nx arrays, one axis at a time, lines in parallel.</summary>
internal static class Fft3
{
    /// <summary>Transforms (<paramref name="re"/>, <paramref name="im"/>) along all three axes; the inverse is unnormalised.</summary>
    public static void Transform(double[] re, double[] im, int nz, int ny, int nx, bool inverse)
    {
        var plane = (long)ny * nx;
        var xs = new Fft(nx);
        Parallel.For(0, (long)nz * ny, line => xs.Transform(re.AsSpan((int)(line * nx), nx), im.AsSpan((int)(line * nx), nx), inverse));
        Axis(re, im, new Fft(ny), count: (long)nz * nx, length: ny, stride: nx, start: line => ((line / nx) * plane) + (line % nx), inverse);
        Axis(re, im, new Fft(nz), count: plane, length: nz, stride: plane, start: line => line, inverse);
    }

    private static void Axis(double[] re, double[] im, Fft fft, long count, int length, long stride, Func<long, long> start, bool inverse) =>
        Parallel.For(0, count, () => (new double[length], new double[length]), (line, _, buffers) =>
        {
            var (br, bi) = buffers;
            var at = start(line);
            for (var k = 0; k < length; k++)
            {
                br[k] = re[at + (k * stride)];
                bi[k] = im[at + (k * stride)];
            }

            fft.Transform(br, bi, inverse);
            for (var k = 0; k < length; k++)
            {
                re[at + (k * stride)] = br[k];
                im[at + (k * stride)] = bi[k];
            }

            return buffers;
        }, _ => { });
}
