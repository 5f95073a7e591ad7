using Cxdi.Plugins.Ml.Numerics;

namespace Cxdi.Plugins.Ml.Simulation;

/// <summary>What to simulate: training patterns that match a measurement.</summary>
/// <param name="Ny">Rows of the pattern.</param>
/// <param name="Nx">Columns of the pattern.</param>
/// <param name="ObjectSize">Object diameter in object-space pixels of the pattern's grid (the oversampling per axis is about Nx / ObjectSize).</param>
/// <param name="Photons">Expected photons summed over the measured pixels.</param>
/// <param name="Mask">Row-major mask of the pattern (non-zero = not measured), or null for none.</param>
internal sealed record SimulationSpec(int Ny, int Nx, double ObjectSize, double Photons, uint[]? Mask)
{
    /// <summary>The simulation parameters as JSON-friendly values, for provenance.</summary>
    public Dictionary<string, object> Describe() => new(StringComparer.Ordinal)
    {
        ["ny"] = Ny,
        ["nx"] = Nx,
        ["object_size_px"] = Math.Round(ObjectSize, 3),
        ["oversampling"] = Math.Round(Math.Max(Ny, Nx) / ObjectSize, 3),
        ["photons"] = Photons,
        ["masked_pixels"] = Mask?.Count(m => m != 0) ?? 0,
    };
}

/// <summary>The family of random objects a pattern is simulated from.</summary>
internal enum ObjectStyle
{
    /// <summary>1–4 overlapping tilted ellipses with a gentle cosine texture (amplitude 0.5–1), centred by their centre of mass.</summary>
    Ellipses,

    /// <summary>3–7 axis-aligned ellipses inside a disc, amplitude 0.4–1 from a blurred-noise texture (a fifth of the radius), as <c>cxdi.simulate</c> makes them.</summary>
    TexturedBlobs,
}

/// <summary>One simulated pattern: the noiseless expected counts, a Poisson draw of them, and the true object support.</summary>
internal sealed record SimulatedPattern(int Ny, int Nx, float[] Expected, float[] Counts, byte[] Support, uint[] Mask);

/// <summary>
/// Random compact objects (unions of ellipses with a smooth, positive amplitude texture; optionally with a smooth random
/// phase) centred in a padded power-of-two grid, their far-field intensity |FFT|², scaled to the photon level over the
/// measured pixels and Poisson-sampled.
/// </summary>
internal static class PatternSimulator
{
    /// <summary>Simulates one pattern of a real-valued object with the random stream <paramref name="seed"/>.</summary>
    public static SimulatedPattern Simulate(SimulationSpec spec, int seed) => Simulate(spec, seed, 0);

    /// <summary>
    /// Simulates one pattern with the random stream <paramref name="seed"/>; a positive <paramref name="phaseAmplitude"/>
    /// (rad) makes the object complex-valued: the same amplitude with a smooth random phase in ±phaseAmplitude over it
    /// (white noise blurred by a third of the object radius, rescaled over the grid, as <c>cxdi.simulate</c>'s complex
    /// objects with ±1 rad). 0 gives exactly the real-valued pattern of <see cref="Simulate(SimulationSpec, int)"/>.
    /// </summary>
    public static SimulatedPattern Simulate(SimulationSpec spec, int seed, double phaseAmplitude) => Simulate(spec, seed, phaseAmplitude, ObjectStyle.Ellipses);

    /// <summary>Simulates one pattern as <see cref="Simulate(SimulationSpec, int, double)"/> with objects of the family <paramref name="style"/>.</summary>
    public static SimulatedPattern Simulate(SimulationSpec spec, int seed, double phaseAmplitude, ObjectStyle style)
    {
        var random = new Random(seed);
        var n = 1;
        while (n < Math.Max(spec.Ny, spec.Nx))
        {
            n <<= 1;
        }

        // Object on the n-grid; the pattern's speckle size N/d is kept: d_n = d · n / N.
        var scale = n / (double)Math.Max(spec.Ny, spec.Nx);
        var diameter = Math.Clamp(spec.ObjectSize * scale, 3, n / 2.0);
        var obj = style == ObjectStyle.TexturedBlobs ? TexturedBlobs(n, diameter, random) : RandomObject(n, diameter, random);

        var re = new double[n * n];
        var im = new double[n * n];
        Array.Copy(obj, re, obj.Length);
        if (phaseAmplitude > 0)
        {
            var phase = SmoothField(n, diameter / 6, random);
            for (var i = 0; i < obj.Length; i++)
            {
                var (s, c) = Math.SinCos(2 * phaseAmplitude * (phase[i] - 0.5));
                re[i] = obj[i] * c;
                im[i] = obj[i] * s;
            }
        }

        Fft.Transform2D(re, im, n, n, inverse: false);
        var full = new double[n * n];
        for (var i = 0; i < full.Length; i++)
        {
            full[i] = (re[i] * re[i]) + (im[i] * im[i]);
        }

        full = Fft.Shift(full, n, n);
        var oy = (n / 2) - (spec.Ny / 2);
        var ox = (n / 2) - (spec.Nx / 2);
        var expected = new float[spec.Ny * spec.Nx];
        var mask = spec.Mask is null ? new uint[expected.Length] : (uint[])spec.Mask.Clone();
        double measured = 0;
        for (var y = 0; y < spec.Ny; y++)
        {
            for (var x = 0; x < spec.Nx; x++)
            {
                var v = full[((y + oy) * n) + x + ox];
                expected[(y * spec.Nx) + x] = (float)v;
                if (mask[(y * spec.Nx) + x] == 0)
                {
                    measured += v;
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

        // The true support on the pattern's grid: the object centred in an Ny × Nx object space.
        var support = new byte[expected.Length];
        for (var y = 0; y < spec.Ny; y++)
        {
            for (var x = 0; x < spec.Nx; x++)
            {
                var yy = (int)Math.Round(((y - (spec.Ny / 2)) * scale) + (n / 2));
                var xx = (int)Math.Round(((x - (spec.Nx / 2)) * scale) + (n / 2));
                support[(y * spec.Nx) + x] = yy >= 0 && yy < n && xx >= 0 && xx < n && obj[(yy * n) + xx] > 0 ? (byte)1 : (byte)0;
            }
        }

        return new SimulatedPattern(spec.Ny, spec.Nx, expected, counts, support, mask);
    }

    /// <summary>An object of <see cref="ObjectStyle.TexturedBlobs"/> of diameter <paramref name="diameter"/> px centred at (n/2, n/2).</summary>
    internal static double[] TexturedBlobs(int n, double diameter, Random random)
    {
        // The blobs fill about 80 % of the disc's diameter: the disc is widened so that the object spans about the diameter.
        var radius = 1.25 * diameter / 2;
        var blobs = Enumerable.Range(0, 3 + random.Next(5)).Select(_ => (
            Cy: (random.NextDouble() - 0.5) * radius,
            Cx: (random.NextDouble() - 0.5) * radius,
            Ay: radius * (0.3 + (0.3 * random.NextDouble())),
            Ax: radius * (0.3 + (0.3 * random.NextDouble())))).ToArray();
        var texture = SmoothField(n, radius / 5, random);
        var obj = new double[n * n];
        var half = n / 2;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                double py = y - half, px = x - half;
                if ((py * py) + (px * px) > radius * radius)
                {
                    continue;
                }

                foreach (var (cy, cx, ay, ax) in blobs)
                {
                    var v = (py - cy) / ay;
                    var w = (px - cx) / ax;
                    if ((v * v) + (w * w) <= 1)
                    {
                        obj[(y * n) + x] = 0.4 + (0.6 * texture[(y * n) + x]);
                        break;
                    }
                }
            }
        }

        return obj;
    }

    /// <summary>A smooth random field in [0, 1] on an n × n grid: white noise blurred by a Gaussian of <paramref name="sigma"/> px (separable, zero outside), rescaled to its range.</summary>
    internal static double[] SmoothField(int n, double sigma, Random random)
    {
        sigma = Math.Max(sigma, 0.5);
        var field = new double[n * n];
        for (var i = 0; i < field.Length; i++)
        {
            field[i] = random.NextDouble();
        }

        var half = (int)Math.Ceiling(3 * sigma);
        var kernel = new double[(2 * half) + 1];
        for (var k = -half; k <= half; k++)
        {
            kernel[k + half] = Math.Exp(-(k * k) / (2 * sigma * sigma));
        }

        var sum = kernel.Sum();
        for (var k = 0; k < kernel.Length; k++)
        {
            kernel[k] /= sum;
        }

        var rows = new double[field.Length];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                double t = 0;
                for (var k = Math.Max(-half, -x); k <= Math.Min(half, n - 1 - x); k++)
                {
                    t += kernel[k + half] * field[(y * n) + x + k];
                }

                rows[(y * n) + x] = t;
            }
        }

        double min = double.MaxValue, max = double.MinValue;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                double t = 0;
                for (var k = Math.Max(-half, -y); k <= Math.Min(half, n - 1 - y); k++)
                {
                    t += kernel[k + half] * rows[((y + k) * n) + x];
                }

                field[(y * n) + x] = t;
                min = Math.Min(min, t);
                max = Math.Max(max, t);
            }
        }

        for (var i = 0; i < field.Length; i++)
        {
            field[i] = max > min ? (field[i] - min) / (max - min) : 0.5;
        }

        return field;
    }

    /// <summary>A positive object of about <paramref name="diameter"/> px: 1–4 overlapping ellipses, textured, centred by its centre of mass.</summary>
    internal static double[] RandomObject(int n, double diameter, Random random)
    {
        var obj = new double[n * n];
        var radius = diameter / 2;
        var blobs = 1 + random.Next(4);
        for (var b = 0; b < blobs; b++)
        {
            var cy = (random.NextDouble() - 0.5) * radius * 0.6;
            var cx = (random.NextDouble() - 0.5) * radius * 0.6;
            var ay = radius * (0.45 + (0.45 * random.NextDouble()));
            var ax = radius * (0.45 + (0.45 * random.NextDouble()));
            var angle = random.NextDouble() * Math.PI;
            var (s, c) = Math.SinCos(angle);
            var extent = (int)Math.Ceiling(radius) + 2;
            for (var y = -extent; y <= extent; y++)
            {
                for (var x = -extent; x <= extent; x++)
                {
                    var u = ((x - cx) * c) + ((y - cy) * s);
                    var v = (-(x - cx) * s) + ((y - cy) * c);
                    if ((u * u / (ax * ax)) + (v * v / (ay * ay)) <= 1)
                    {
                        var yy = y + (n / 2);
                        var xx = x + (n / 2);
                        if (yy >= 0 && yy < n && xx >= 0 && xx < n)
                        {
                            obj[(yy * n) + xx] = 1;
                        }
                    }
                }
            }
        }

        // Smooth texture: a few random cosine waves, amplitude kept in [0.5, 1].
        var waves = new (double Ky, double Kx, double Phase, double Weight)[3];
        for (var w = 0; w < waves.Length; w++)
        {
            waves[w] = ((random.NextDouble() - 0.5) * 0.6, (random.NextDouble() - 0.5) * 0.6, random.NextDouble() * 2 * Math.PI, 0.5 * random.NextDouble());
        }

        double sy = 0, sx = 0, sw = 0;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                var i = (y * n) + x;
                if (obj[i] == 0)
                {
                    continue;
                }

                double t = 0, tw = 0;
                foreach (var (ky, kx, phase, weight) in waves)
                {
                    t += weight * Math.Cos((ky * y) + (kx * x) + phase);
                    tw += weight;
                }

                obj[i] = 0.75 + (tw > 0 ? 0.25 * t / tw : 0);
                sy += y;
                sx += x;
                sw++;
            }
        }

        // Centre the support's centre of mass at (n/2, n/2).
        var dy = (n / 2) - (int)Math.Round(sy / sw);
        var dx = (n / 2) - (int)Math.Round(sx / sw);
        if (dy == 0 && dx == 0)
        {
            return obj;
        }

        var moved = new double[n * n];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                var yy = y + dy;
                var xx = x + dx;
                if (yy >= 0 && yy < n && xx >= 0 && xx < n)
                {
                    moved[(yy * n) + xx] = obj[(y * n) + x];
                }
            }
        }

        return moved;
    }
}

/// <summary>Poisson random numbers: multiplication for small means, Hörmann's transformed rejection (PTRS) above 10.</summary>
internal static class Poisson
{
    /// <summary>One draw with mean <paramref name="lambda"/> (0 for a non-positive mean).</summary>
    public static float Sample(Random random, double lambda)
    {
        if (!(lambda > 0))
        {
            return 0;
        }

        if (lambda < 10)
        {
            var limit = Math.Exp(-lambda);
            var k = 0;
            var p = random.NextDouble();
            while (p > limit)
            {
                k++;
                p *= random.NextDouble();
            }

            return k;
        }

        var slam = Math.Sqrt(lambda);
        var loglam = Math.Log(lambda);
        var b = 0.931 + (2.53 * slam);
        var a = -0.059 + (0.02483 * b);
        var invalpha = 1.1239 + (1.1328 / (b - 3.4));
        var vr = 0.9277 - (3.6224 / (b - 2));
        while (true)
        {
            var u = random.NextDouble() - 0.5;
            var v = random.NextDouble();
            var us = 0.5 - Math.Abs(u);
            var k = Math.Floor((((2 * a / us) + b) * u) + lambda + 0.43);
            if (us >= 0.07 && v <= vr)
            {
                return (float)k;
            }

            if (k < 0 || (us < 0.013 && v > us))
            {
                continue;
            }

            if (Math.Log(v) + Math.Log(invalpha) - Math.Log((a / (us * us)) + b) <= -lambda + (k * loglam) - LogFactorial(k))
            {
                return (float)k;
            }
        }
    }

    private static double LogFactorial(double k)
    {
        if (k < 2)
        {
            return 0;
        }

        // Stirling series; exact enough for k ≥ 2 in the rejection test.
        var x = k + 1;
        return ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI)) + (1 / (12 * x)) - (1 / (360 * x * x * x));
    }
}
