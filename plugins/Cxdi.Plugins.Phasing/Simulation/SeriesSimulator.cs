using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Simulation;

/// <summary>How a simulated object changes over a time-resolved series.</summary>
public enum SeriesMotion
{
    /// <summary>A straight translation over a quarter of the object diameter (times motion_scale).</summary>
    Drift,

    /// <summary>An in-plane rotation over 30° (times motion_scale) about the array centre.</summary>
    Rotate,

    /// <summary>Isotropic growth by 20 % (times motion_scale) from the first frame to the last.</summary>
    Grow,

    /// <summary>A smooth, travelling wave-like displacement field of 1/16 of the diameter (times motion_scale).</summary>
    Deform,
}

/// <summary>
/// A time-resolved series: one random compact object (as <see cref="Simulator"/> makes it) moved frame by frame by the
/// chosen motions, each frame's far field drawn with Poisson noise, with the same beamstop and gaps on every frame. The
/// result is a stack of 2D patterns (frames along the first axis) whose ground truth is the stack of true objects.
/// </summary>
public static class SeriesSimulator
{
    /// <summary>Simulates <see cref="SimulateOptions.Series"/> frames of <paramref name="options"/> using <paramref name="backend"/> for the FFT.</summary>
    public static DiffractionData Simulate(SimulateOptions options, IComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        var n = options.Size;
        var frames = options.Series;
        var frameShape = Shape.Of(n, n);
        var pixels = (int)frameShape.Length;
        var random = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        var reference = Simulator.MakeObject(frameShape, options, random);
        var mask = FrameMask(options);
        var intensity = new float[(long)frames * pixels];
        var truth = new Complex32[(long)frames * pixels];
        var fullMask = new uint[(long)frames * pixels];
        var phaseOrigin = random.NextDouble() * 2 * Math.PI;
        var wave = new Complex32[pixels];
        for (var t = 0; t < frames; t++)
        {
            var s = frames > 1 ? t / (double)(frames - 1) : 0;
            var frame = Move(reference, n, options, s, phaseOrigin);
            Array.Copy(frame, 0, truth, (long)t * pixels, pixels);
            Array.Copy(mask, 0, fullMask, (long)t * pixels, pixels);

            var shifted = ArrayTools.IfftShift<Complex32>(frame, frameShape);
            Array.Copy(shifted, wave, pixels);
            backend.Transform(wave, frameShape, FftDirection.Forward);
            var centred = ArrayTools.FftShift<Complex32>(wave, frameShape);
            double total = 0;
            foreach (var z in centred)
            {
                total += z.Norm2;
            }

            var scale = options.Photons / total;
            var offset = (long)t * pixels;
            for (var i = 0; i < pixels; i++)
            {
                intensity[offset + i] = mask[i] != 0 ? 0 : (float)Simulator.Poisson(random, centred[i].Norm2 * scale);
            }
        }

        var data = new DiffractionData(Shape.Of(frames, n, n), intensity, fullMask) { GroundTruth = truth };
        var motion = string.Join("+", options.Motion.Select(m => m.ToString().ToLowerInvariant()));
        data.Metadata["simulated"] = $"series of {frames} 2D {frameShape} frames, motion {motion} x{options.MotionScale:G3}, oversampling {options.Oversampling}, {options.Photons:G3} photons per frame, seed {options.Seed}";
        data.Metadata["series_frames"] = frames;
        data.Metadata["series_motion"] = motion;
        return data;
    }

    /// <summary>The beamstop and gap flags of one 2D frame.</summary>
    internal static uint[] FrameMask(SimulateOptions options)
    {
        var n = options.Size;
        var half = n / 2;
        var beamstop = options.BeamstopRadiusPx > 0 ? options.BeamstopRadiusPx : options.BeamstopRadius * options.Oversampling;
        var mask = new uint[n * n];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                var i = (y * n) + x;
                double dy = y - half, dx = x - half;
                if (beamstop > 0 && (dy * dy) + (dx * dx) <= beamstop * beamstop)
                {
                    mask[i] |= (uint)MaskFlags.Beamstop;
                }

                foreach (var offset in options.GapOffsets)
                {
                    if (options.GapWidth > 0 && (Simulator.InGap(y - half, offset, options.GapWidth) || Simulator.InGap(x - half, offset, options.GapWidth)))
                    {
                        mask[i] |= (uint)MaskFlags.Gap;
                    }
                }
            }
        }

        return mask;
    }

    /// <summary>
    /// The object at time <paramref name="s"/> (0 at the first frame, 1 at the last): each pixel looks up the reference
    /// object at the position the inverse motion gives (drift, then rotation, growth and deformation), bilinearly.
    /// </summary>
    internal static Complex32[] Move(Complex32[] reference, int n, SimulateOptions options, double s, double phaseOrigin)
    {
        var half = n / 2;
        var diameter = n / options.Oversampling;
        var k = options.MotionScale;
        var drift = 0.25 * diameter * k * (s - 0.5);
        var (driftY, driftX) = (drift * Math.Sin(phaseOrigin), drift * Math.Cos(phaseOrigin));
        var angle = Math.PI / 6 * k * (s - 0.5);
        var (cos, sin) = (Math.Cos(-angle), Math.Sin(-angle));
        var growth = 1 + (0.2 * k * s);
        var amplitude = diameter / 16.0 * k;
        var wavelength = diameter;
        var result = new Complex32[n * n];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                double qy = y - half, qx = x - half;
                foreach (var motion in options.Motion)
                {
                    switch (motion)
                    {
                        case SeriesMotion.Drift:
                            qy -= driftY;
                            qx -= driftX;
                            break;
                        case SeriesMotion.Rotate:
                            (qy, qx) = ((sin * qx) + (cos * qy), (cos * qx) - (sin * qy));
                            break;
                        case SeriesMotion.Grow:
                            qy /= growth;
                            qx /= growth;
                            break;
                        case SeriesMotion.Deform:
                            var uy = amplitude * Math.Sin((2 * Math.PI * qx / wavelength) + (2 * Math.PI * s) + phaseOrigin);
                            var ux = amplitude * Math.Sin((2 * Math.PI * qy / wavelength) + (1.4 * Math.PI * s) + 1);
                            qy -= uy;
                            qx -= ux;
                            break;
                    }
                }

                result[(y * n) + x] = Bilinear(reference, n, qy + half, qx + half);
            }
        }

        return result;
    }

    private static Complex32 Bilinear(Complex32[] image, int n, double y, double x)
    {
        var y0 = (int)Math.Floor(y);
        var x0 = (int)Math.Floor(x);
        if (y0 < 0 || x0 < 0 || y0 + 1 >= n || x0 + 1 >= n)
        {
            return default;
        }

        var fy = (float)(y - y0);
        var fx = (float)(x - x0);
        var a = image[(y0 * n) + x0];
        var b = image[(y0 * n) + x0 + 1];
        var c = image[((y0 + 1) * n) + x0];
        var d = image[((y0 + 1) * n) + x0 + 1];
        return ((1 - fy) * (((1 - fx) * a) + (fx * b))) + (fy * (((1 - fx) * c) + (fx * d)));
    }
}
