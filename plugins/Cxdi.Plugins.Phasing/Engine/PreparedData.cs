using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Support;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// Diffraction data turned into what every run uploads: observed amplitudes and pixel classes in FFT order, with the
/// free-log-likelihood pixels held out. Measured pixels: no <see cref="MaskFlags.Unknown"/> bit and a finite intensity
/// (and a finite raw count when the data carry <see cref="DiffractionData.RawIntensity"/>). Optionally √(raw counts) and
/// the amplitude bounds of unknown pixels with a predicted range, in the same order.
/// </summary>
internal sealed class PreparedData
{
    private PreparedData(Shape shape, float[] amplitude, byte[] classes, long measured, long heldOut, int[] centre, double[] subPixelCentre)
    {
        Centre = centre;
        SubPixelCentre = subPixelCentre;
        Shape = shape;
        Amplitude = amplitude;
        Classes = classes;
        Measured = measured;
        HeldOut = heldOut;
    }

    /// <summary>√(raw counts) in FFT order (0 where unknown) when the data carry raw counts beside a denoised intensity, else null; null after <see cref="ReleaseArrays"/>.</summary>
    public float[]? RawAmplitude { get; private set; }

    /// <summary>√(lower intensity bound) in FFT order at unknown pixels with a predicted range, NaN elsewhere; null when the data have no bounds or they are not used, and after <see cref="ReleaseArrays"/>.</summary>
    public float[]? LowerAmplitude { get; private set; }

    /// <summary>√(upper intensity bound) in FFT order, NaN where there is no prediction (see <see cref="LowerAmplitude"/>).</summary>
    public float[]? UpperAmplitude { get; private set; }

    /// <summary>Unknown pixels with a usable predicted range (0 ≤ lower ≤ upper).</summary>
    public long Bounded { get; private set; }

    public Shape Shape { get; }

    /// <summary>√I in FFT order (0 where unknown); empty after <see cref="ReleaseArrays"/>.</summary>
    public float[] Amplitude { get; private set; }

    /// <summary><see cref="PixelClass"/> per pixel in FFT order; empty after <see cref="ReleaseArrays"/>.</summary>
    public byte[] Classes { get; private set; }

    /// <summary>Measured pixels used by the projection.</summary>
    public long Measured { get; }

    /// <summary>Held-out (free) pixels.</summary>
    public long HeldOut { get; }

    /// <summary>The detector pixel (z, y, x) taken as zero frequency.</summary>
    public int[] Centre { get; }

    /// <summary>The zero frequency (z, y, x) to a tenth of a pixel where it was measured (centre of symmetry), else <see cref="Centre"/>.</summary>
    public double[] SubPixelCentre { get; }

    /// <summary>Drops the host arrays once they are on the backend (<see cref="Observations"/>), so a run does not hold them twice.</summary>
    public void ReleaseArrays()
    {
        Amplitude = [];
        Classes = [];
        RawAmplitude = null;
        LowerAmplitude = null;
        UpperAmplitude = null;
    }

    /// <summary>Fewest pixels along every axis of an array that can be phased.</summary>
    public const int MinimumSize = 8;

    /// <summary>True when <paramref name="shape"/> has fewer than <see cref="MinimumSize"/> pixels along some axis.</summary>
    public static bool TooSmall(Shape shape) => shape.Ny < MinimumSize || shape.Nx < MinimumSize || (shape.Is3D && shape.Nz < MinimumSize);

    /// <summary>
    /// Checks and prepares <paramref name="data"/>; throws <see cref="InvalidInputException"/> when it cannot be phased.
    /// <paramref name="useBounds"/> keeps the data's intensity bounds at unknown pixels (<see cref="LowerAmplitude"/>).
    /// </summary>
    public static PreparedData Create(DiffractionData data, double freeFraction, long seed, PatternCentering centering = PatternCentering.Auto, IComputeBackend? backend = null, bool useBounds = true)
    {
        var shape = data.Shape;
        var source = data.Provenance.Sources.Count > 0 ? data.Provenance.Sources[^1].Path : "input";
        if (TooSmall(shape))
        {
            throw new InvalidInputException(source, $"a {shape} array is too small to phase", $"phase arrays of at least {MinimumSize} pixels along every axis");
        }

        // The zero-frequency pixel goes to index 0 as the values are read (no centred copy: 3D arrays are large).
        var (centre, subPixel) = FindCentre(data, centering, source, backend);
        var amplitude = new float[shape.Length];
        var classes = new byte[shape.Length];
        var rawIntensity = data.RawIntensity is { } r && r.LongLength == shape.Length ? r : null;
        var rawAmplitude = rawIntensity is null ? null : new float[shape.Length];
        var bounded = useBounds && data.LowerBound is { } lb && data.UpperBound is { } ub && lb.LongLength == shape.Length && ub.LongLength == shape.Length;
        var lower = bounded ? new float[shape.Length] : null;
        var upper = bounded ? new float[shape.Length] : null;
        lower?.AsSpan().Fill(float.NaN);
        upper?.AsSpan().Fill(float.NaN);
        long boundedCount = 0;
        var rawDiffers = false;
        long measured = 0;
        double total = 0;
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        for (var z = 0; z < nz; z++)
        {
            var tz = ArrayTools.Mod(z - centre[0], nz);
            for (var y = 0; y < ny; y++)
            {
                var row = (((long)tz * ny) + ArrayTools.Mod(y - centre[1], ny)) * nx;
                var source0 = (((long)z * ny) + y) * nx;
                for (var x = 0; x < nx; x++)
                {
                    var i = source0 + x;
                    var target = row + ArrayTools.Mod(x - centre[2], nx);
                    var v = data.Intensity[i];
                    if (!data.IsMeasured(i) || !float.IsFinite(v) || (rawIntensity is not null && !float.IsFinite(rawIntensity[i])))
                    {
                        classes[target] = PixelClass.Unknown;
                        if (bounded)
                        {
                            float lo = data.LowerBound![i], hi = data.UpperBound![i];
                            if (lo >= 0 && lo <= hi && float.IsFinite(hi))
                            {
                                lower![target] = MathF.Sqrt(lo);
                                upper![target] = MathF.Sqrt(hi);
                                boundedCount++;
                            }
                        }

                        continue;
                    }

                    amplitude[target] = MathF.Sqrt(Math.Max(v, 0f));
                    if (rawAmplitude is not null)
                    {
                        rawAmplitude[target] = MathF.Sqrt(Math.Max(rawIntensity![i], 0f));
                        rawDiffers |= rawIntensity[i] != v;
                    }

                    total += Math.Max(v, 0f);
                    measured++;
                }
            }
        }

        if (measured == 0)
        {
            throw new InvalidInputException(source, "every pixel is masked: nothing is measured", "check the mask (a masked pixel is unknown, never zero photons)");
        }

        if (!(total > 0))
        {
            throw new InvalidInputException(source, "the measured intensity is zero everywhere", "check the input file and the mask");
        }

        var heldOut = freeFraction > 0 ? FreePixels.HoldOut(classes, shape, freeFraction, seed) : 0;
        return new PreparedData(shape, amplitude, classes, measured - heldOut, heldOut, centre, subPixel)
        {
            RawAmplitude = rawDiffers ? rawAmplitude : null, // raw counts equal to the intensity (e.g. after inpainting only) change nothing
            LowerAmplitude = boundedCount > 0 ? lower : null,
            UpperAmplitude = boundedCount > 0 ? upper : null,
            Bounded = boundedCount,
        };
    }

    /// <summary>
    /// The zero-frequency pixel and its sub-pixel position: the array centre (N/2), the beam centre from the geometry, or
    /// (auto) the beam centre when known, else the pattern's centre of symmetry (<see cref="ZeroFrequency"/>).
    /// </summary>
    internal static (int[] Centre, double[] SubPixel) FindCentre(DiffractionData data, PatternCentering centering, string source, IComputeBackend? backend = null)
    {
        var shape = data.Shape;
        var g = data.Geometry;
        if (centering == PatternCentering.Array)
        {
            int[] array = [shape.Nz / 2, shape.Ny / 2, shape.Nx / 2];
            return (array, [.. array.Select(c => (double)c)]);
        }

        if (g.BeamCenterX is { } bx && g.BeamCenterY is { } by)
        {
            var z = shape.Is3D ? Symmetry(data, backend) : ([0, 0, 0], [0.0, 0, 0]);
            return ([z.Centre[0], (int)Math.Round(by), (int)Math.Round(bx)], [z.SubPixel[0], by, bx]);
        }

        if (centering == PatternCentering.Beam)
        {
            throw new InvalidInputException(source, "centering is 'beam' but the data have no beam centre", "set the beam centre in the reader options or use centering: auto");
        }

        return Symmetry(data, backend);
    }

    private static (int[] Centre, double[] SubPixel) Symmetry(DiffractionData data, IComputeBackend? backend)
    {
        using var own = backend is null ? new CpuComputeBackend(FftPreference.Auto, 0) : null;
        var centre = ZeroFrequency.SymmetryCentre(data, backend ?? own!);
        return (ZeroFrequency.Round(centre, ZeroFrequency.Centroid(data), data.Shape), centre);
    }
}

/// <summary>Which detector pixel is the zero frequency.</summary>
public enum PatternCentering
{
    /// <summary>The beam centre when the geometry has one, else the pattern's centre of symmetry (sub-pixel, then rounded).</summary>
    Auto,

    /// <summary>The array centre, index N/2 along each axis.</summary>
    Array,

    /// <summary>The beam centre from the geometry (an error when unknown).</summary>
    Beam,
}

/// <summary>Chooses the pixels held out for the free log-likelihood.</summary>
internal static class FreePixels
{
    /// <summary>
    /// Marks about <paramref name="fraction"/> of the measured pixels of <paramref name="classes"/> (FFT order) as
    /// <see cref="PixelClass.HeldOut"/>, in 3×3 (3×3×3) islands at seeded random places, each island together with its
    /// centrosymmetric twin (−k) since symmetrised data would otherwise leak the held-out value. The centre zone (within
    /// 5 % of the smallest dimension of zero frequency) is never held out. Returns the number held out.
    /// </summary>
    public static long HoldOut(byte[] classes, Shape shape, double fraction, long seed)
    {
        long measured = 0;
        foreach (var c in classes)
        {
            measured += c == PixelClass.Measured ? 1 : 0;
        }

        var target = (long)(fraction * measured);
        var random = new Random(unchecked((int)(seed ^ 0x5eed)));
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        var minDim = shape.Is3D ? Math.Min(nz, Math.Min(ny, nx)) : Math.Min(ny, nx);
        var exclude = 0.05 * minDim;
        long held = 0;
        var attempts = 0L;
        var maxAttempts = 50 * Math.Max(1, target);
        var dz = shape.Is3D ? 1 : 0;
        while (held < target && attempts++ < maxAttempts)
        {
            var cz = shape.Is3D ? random.Next(nz) : 0;
            var cy = random.Next(ny);
            var cx = random.Next(nx);
            var fz = shape.Is3D ? ArrayTools.Signed(cz, nz) : 0;
            var fy = ArrayTools.Signed(cy, ny);
            var fx = ArrayTools.Signed(cx, nx);
            if (Math.Sqrt((fz * (double)fz) + (fy * (double)fy) + (fx * (double)fx)) < exclude + 2)
            {
                continue;
            }

            for (var mirror = 0; mirror < 2; mirror++)
            {
                for (var z = -dz; z <= dz; z++)
                {
                    for (var y = -1; y <= 1; y++)
                    {
                        for (var x = -1; x <= 1; x++)
                        {
                            var pz = mirror == 0 ? cz + z : -(cz + z);
                            var py = mirror == 0 ? cy + y : -(cy + y);
                            var px = mirror == 0 ? cx + x : -(cx + x);
                            var index = (((long)ArrayTools.Mod(pz, nz) * ny) + ArrayTools.Mod(py, ny)) * nx + ArrayTools.Mod(px, nx);
                            if (classes[index] == PixelClass.Measured)
                            {
                                classes[index] = PixelClass.HeldOut;
                                held++;
                            }
                        }
                    }
                }
            }
        }

        return held;
    }
}
