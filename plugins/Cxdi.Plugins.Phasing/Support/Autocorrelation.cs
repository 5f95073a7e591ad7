using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Support;

/// <summary>
/// The autocorrelation |IFT(I)| of a pattern with unknown pixels (beamstop, gaps) filled rather than set to 0, and the
/// region where it stands above its noise. A beamstop removes the lowest frequencies: as zeros they subtract a broad
/// blob from the autocorrelation and leave a narrow peak whose relative threshold says little about the object. The
/// autocorrelation of an object of finite extent is zero beyond twice that extent, so the unknown intensities are
/// estimated by alternating that constraint (on a generous significance region) with the measured values, which
/// never change.
/// </summary>
public static class Autocorrelation
{
    /// <summary>Alternations of the fill; the low frequencies settle in a few tens.</summary>
    public const int FillIterations = 30;

    /// <summary>
    /// Largest unknown fraction that is filled: a beamstop and gaps are a few percent of a detector; a volume assembled
    /// from a tilt series leaves most of reciprocal space unmeasured, where the fill would invent far more than it knows.
    /// </summary>
    public const double MaxFillFraction = 0.1;

    /// <summary>Significance of the region used as the fill's constraint, in robust standard deviations of the noise.</summary>
    private const double LooseSignificance = 3;

    /// <summary>
    /// The centred autocorrelation amplitude of <paramref name="data"/>, its unknown pixels filled
    /// (<see cref="FillIterations"/> alternations; 0 sets them to 0).
    /// </summary>
    public static float[] Amplitude(DiffractionData data, IComputeBackend backend, int fillIterations = FillIterations)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(backend);
        var shape = data.Shape;
        var known = new bool[shape.Length];
        var measured = new float[shape.Length];
        var unknown = 0L;
        for (long i = 0; i < shape.Length; i++)
        {
            var v = data.Intensity[i];
            known[i] = data.IsMeasured(i) && float.IsFinite(v);
            measured[i] = known[i] ? Math.Max(v, 0f) : 0f;
            unknown += known[i] ? 0 : 1;
        }

        // The pattern in FFT order (zero frequency at N/2 of the detector moves to index 0: the amplitude does not
        // depend on which pixel is taken as zero frequency, only its phase does).
        var values = new Complex32[shape.Length];
        Load(measured, values, shape);
        backend.Transform(values, shape, FftDirection.Inverse);
        if (unknown == 0 || fillIterations <= 0 || unknown > MaxFillFraction * shape.Length)
        {
            return Centred(values, shape);
        }

        var amplitude = Centred(values, shape);
        var constraint = Significant(amplitude, shape, LooseSignificance, sigma: 2);
        if (ArrayTools.Count(constraint) == 0)
        {
            // Nothing stands above the noise to constrain the fill: the zeros stay.
            return amplitude;
        }

        Dilate(constraint, shape, 2);
        var inside = ArrayTools.IfftShift<byte>(constraint, shape);
        var pattern = new float[shape.Length];
        for (var iteration = 0; iteration < fillIterations; iteration++)
        {
            for (long i = 0; i < values.Length; i++)
            {
                // The autocorrelation of real intensities is Hermitian: its real part carries the symmetric estimate.
                values[i] = inside[i] != 0 ? new Complex32(values[i].Re, 0) : default;
            }

            backend.Transform(values, shape, FftDirection.Forward);
            Unload(values, pattern, shape);
            for (long i = 0; i < pattern.Length; i++)
            {
                pattern[i] = known[i] ? measured[i] : Math.Max(pattern[i], 0f);
            }

            Load(pattern, values, shape);
            backend.Transform(values, shape, FftDirection.Inverse);
        }

        return Centred(values, shape);
    }

    /// <summary>
    /// The pixels of the centred autocorrelation <paramref name="amplitude"/>, blurred by <paramref name="sigma"/> px, that
    /// stand more than <paramref name="significance"/> robust standard deviations above its noise floor (and above 10⁻³ of
    /// its peak). The floor
    /// (median) and spread (1.4826 × median absolute deviation) are measured in the corners of the array, beyond 0.95 of
    /// the half-size along the diagonal, where an oversampled pattern's autocorrelation has no signal.
    /// </summary>
    public static byte[] Significant(float[] amplitude, Shape shape, double significance, double sigma)
    {
        var blurred = (float[])amplitude.Clone();
        ArrayTools.GaussianBlur(blurred, shape, sigma);
        var (floor, spread) = NoiseFloor(blurred, shape);

        // And above a thousandth of the peak: nearly noiseless data would otherwise keep the blur's tails.
        var level = Math.Max(floor + (significance * spread), 1e-3 * blurred.Max());
        var region = new byte[shape.Length];
        for (long i = 0; i < region.Length; i++)
        {
            region[i] = blurred[i] > level ? (byte)1 : (byte)0;
        }

        return region;
    }

    /// <summary>Median and robust standard deviation of the centred <paramref name="amplitude"/> in the corners of the array.</summary>
    public static (double Floor, double Spread) NoiseFloor(float[] amplitude, Shape shape)
    {
        var corner = new List<float>();
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        for (var z = 0; z < nz; z++)
        {
            var fz = shape.Is3D ? (z - (nz / 2)) / (nz / 2.0) : 0;
            for (var y = 0; y < ny; y++)
            {
                var fy = (y - (ny / 2)) / (ny / 2.0);
                for (var x = 0; x < nx; x++)
                {
                    var fx = (x - (nx / 2)) / (nx / 2.0);
                    if ((fz * fz) + (fy * fy) + (fx * fx) > 0.95 * 0.95)
                    {
                        corner.Add(amplitude[(((long)z * ny) + y) * nx + x]);
                    }
                }
            }
        }

        if (corner.Count == 0)
        {
            return (0, 0);
        }

        corner.Sort();
        var median = corner[corner.Count / 2];
        var deviations = corner.Select(v => Math.Abs(v - median)).OrderBy(v => v).ToList();
        return (median, 1.4826 * deviations[deviations.Count / 2]);
    }

    /// <summary>Grows a 0/1 region by <paramref name="radius"/> pixels (a box, cyclic), in place.</summary>
    public static void Dilate(byte[] region, Shape shape, int radius)
    {
        int[] lengths = [shape.Nz, shape.Ny, shape.Nx];
        long[] strides = [(long)shape.Ny * shape.Nx, shape.Nx, 1];
        for (var axis = 0; axis < 3; axis++)
        {
            if (lengths[axis] == 1)
            {
                continue;
            }

            var source = (byte[])region.Clone();
            var n = lengths[axis];
            for (long i = 0; i < region.Length; i++)
            {
                if (source[i] == 0)
                {
                    continue;
                }

                var c = (int)(i / strides[axis] % n);
                for (var d = -radius; d <= radius; d++)
                {
                    region[i + ((ArrayTools.Mod(c + d, n) - c) * strides[axis])] = 1;
                }
            }
        }
    }

    /// <summary>A detector-layout array into FFT order (index N/2 → 0) as complex values; no temporary array (called per fill iteration).</summary>
    private static void Load(float[] pattern, Complex32[] values, Shape shape) =>
        ForEachShifted(shape, (detector, fft) => values[fft] = new Complex32(pattern[detector], 0));

    /// <summary>The real part of FFT-ordered values back into detector layout.</summary>
    private static void Unload(Complex32[] values, float[] pattern, Shape shape) =>
        ForEachShifted(shape, (detector, fft) => pattern[detector] = values[fft].Re);

    /// <summary>Calls <paramref name="pair"/> with each detector-layout index and its FFT-order index (shifted by −N/2 per axis).</summary>
    private static void ForEachShifted(Shape shape, Action<long, long> pair)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        for (var z = 0; z < nz; z++)
        {
            var fz = ArrayTools.Mod(z - (nz / 2), nz);
            for (var y = 0; y < ny; y++)
            {
                var row = (((long)fz * ny) + ArrayTools.Mod(y - (ny / 2), ny)) * nx;
                var detector = (((long)z * ny) + y) * nx;
                for (var x = 0; x < nx; x++)
                {
                    pair(detector + x, row + ArrayTools.Mod(x - (nx / 2), nx));
                }
            }
        }
    }

    private static float[] Centred(Complex32[] values, Shape shape)
    {
        var amplitude = new float[values.Length];
        for (long i = 0; i < values.Length; i++)
        {
            amplitude[i] = values[i].Abs;
        }

        return ArrayTools.FftShift<float>(amplitude, shape);
    }
}
