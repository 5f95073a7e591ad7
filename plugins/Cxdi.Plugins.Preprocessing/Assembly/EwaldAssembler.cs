using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Preprocessing.Assembly;

/// <summary>The geometry of a rotation series on a flat detector normal to the beam.</summary>
/// <param name="Wavelength">λ in metres.</param>
/// <param name="Distance">Sample–detector distance D in metres.</param>
/// <param name="PixelSizeX">Pixel size along columns in metres.</param>
/// <param name="PixelSizeY">Pixel size along rows in metres.</param>
/// <param name="BeamCenterX">Direct-beam column (px).</param>
/// <param name="BeamCenterY">Direct-beam row (px).</param>
/// <param name="Rows">Detector rows.</param>
/// <param name="Columns">Detector columns.</param>
/// <param name="Angles">Sample rotation per frame, radians.</param>
/// <param name="Axis">Rotation axis, a unit vector (x, y, z) in the laboratory frame (x columns, y rows, z along the beam).</param>
public sealed record TiltSeriesGeometry(double Wavelength, double Distance, double PixelSizeX, double PixelSizeY, double BeamCenterX, double BeamCenterY, int Rows, int Columns, IReadOnlyList<double> Angles, double[] Axis)
{
    /// <summary>The reciprocal-space pitch of one detector pixel at the beam, p/(λD), in cycles per metre (q = (ŝ − ŝ₀)/λ, no 2π).</summary>
    public double DetectorQPitch => PixelSizeX / (Wavelength * Distance);

    /// <summary>Scattering vector of pixel (row, column) in the laboratory frame, in cycles per metre: exact Ewald sphere, or the flat small-angle approximation (q ⊥ beam).</summary>
    public (double X, double Y, double Z) Q(double row, double column, bool flat)
    {
        var x = (column - BeamCenterX) * PixelSizeX;
        var y = (row - BeamCenterY) * PixelSizeY;
        if (flat)
        {
            return (x / (Wavelength * Distance), y / (Wavelength * Distance), 0);
        }

        var r = Math.Sqrt((x * x) + (y * y) + (Distance * Distance));
        return (x / (r * Wavelength), y / (r * Wavelength), ((Distance / r) - 1) / Wavelength);
    }

    /// <summary>Rotates <paramref name="v"/> by <paramref name="angle"/> (rad) about <paramref name="axis"/> (Rodrigues' formula).</summary>
    public static (double X, double Y, double Z) Rotate((double X, double Y, double Z) v, double[] axis, double angle)
    {
        double c = Math.Cos(angle), s = Math.Sin(angle);
        double ux = axis[0], uy = axis[1], uz = axis[2];
        var dot = (ux * v.X) + (uy * v.Y) + (uz * v.Z);
        double cx = (uy * v.Z) - (uz * v.Y), cy = (uz * v.X) - (ux * v.Z), cz = (ux * v.Y) - (uy * v.X);
        return ((v.X * c) + (cx * s) + (ux * dot * (1 - c)), (v.Y * c) + (cy * s) + (uy * dot * (1 - c)), (v.Z * c) + (cz * s) + (uz * dot * (1 - c)));
    }
}

/// <summary>Fills one frame of a series into the given buffers (intensity, and mask flags where non-zero means unknown).</summary>
/// <param name="frame">Frame index.</param>
/// <param name="intensity">Receives Rows × Columns intensities.</param>
/// <param name="mask">Receives Rows × Columns flags (cleared by the caller).</param>
public delegate void FrameSource(int frame, Span<float> intensity, Span<uint> mask);

/// <summary>The assembled volume and what went into it.</summary>
/// <param name="Size">Grid size (voxels per axis).</param>
/// <param name="Intensity">Weighted mean intensity per voxel (0 where empty), row-major z, y, x.</param>
/// <param name="Mask"><see cref="MaskFlags.Empty"/> on voxels no measurement reached.</param>
/// <param name="QPitch">Voxel pitch in cycles per metre.</param>
/// <param name="FilledVoxels">Voxels with a non-zero weight.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record AssembledVolume(int Size, float[] Intensity, uint[] Mask, double QPitch, long FilledVoxels, double Seconds);

/// <summary>
/// Maps every detector pixel of a rotation series to its scattering vector q = (ŝ − ŝ₀)/λ on the Ewald sphere, rotates it
/// into the sample frame (by −ω about the axis) and splats it trilinearly onto a regular cubic grid centred on q = 0 with
/// the detector's q pitch at the beam; each voxel gets Σ w·I / Σ w, optionally corrected for the first and second moments
/// of its samples' offsets (see <c>offsetCorrection</c>). Unknown pixels contribute nothing; voxels with no weight are
/// flagged <see cref="MaskFlags.Empty"/> (missing wedge, gaps).
/// </summary>
/// <remarks>
/// Frames are streamed one at a time (memory: the two accumulators plus one frame). Within a frame, detector rows are cut
/// into bands far enough apart in q that two bands of the same parity never touch a common voxel; the even bands run in
/// parallel, then the odd ones, so plain (non-atomic) adds are safe and the result does not depend on the thread count.
/// </remarks>
public static class EwaldAssembler
{
    /// <summary>
    /// Assembles <paramref name="geometry"/>.Angles.Count frames read from <paramref name="frames"/> onto a grid of
    /// <paramref name="size"/>³ voxels. Memory: 8 bytes per voxel (24 with <paramref name="offsetCorrection"/>) while
    /// accumulating, plus the output intensity and mask (8 bytes per voxel) and one frame.
    /// </summary>
    public static AssembledVolume Assemble(TiltSeriesGeometry geometry, FrameSource frames, int size, bool flatEwald, bool offsetCorrection = true, int threads = -1, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int ny = geometry.Rows, nx = geometry.Columns;
        var pitch = geometry.DetectorQPitch;

        // Laboratory q of every pixel, in voxel units.
        var lab = new (float X, float Y, float Z)[ny * nx];
        var minRowStep = double.PositiveInfinity;
        for (var i = 0; i < ny; i++)
        {
            for (var j = 0; j < nx; j++)
            {
                var q = geometry.Q(i, j, flatEwald);
                lab[(i * nx) + j] = ((float)(q.X / pitch), (float)(q.Y / pitch), (float)(q.Z / pitch));
                if (i > 0)
                {
                    var p = lab[((i - 1) * nx) + j];
                    var l = lab[(i * nx) + j];
                    var d = Math.Sqrt(((l.X - p.X) * (l.X - p.X)) + ((l.Y - p.Y) * (l.Y - p.Y)) + ((l.Z - p.Z) * (l.Z - p.Z)));
                    minRowStep = Math.Min(minRowStep, d);
                }
            }
        }

        // Two pixels whose q differ by ≥ 2√3 voxels (Euclidean) differ by ≥ 2 along some axis: their 2×2×2 footprints are disjoint.
        var band = ny > 1 ? Math.Max(2, (int)Math.Ceiling(2 * Math.Sqrt(3) / (0.9 * minRowStep)) + 1) : 1;
        var bands = (ny + band - 1) / band;

        var volume = (long)size * size * size;
        // One record per voxel, interleaved so a splat touches few cache lines: Σw·I, Σw and, with the correction, Σw·dx,
        // Σw·dy, Σw·dz, Σw·|d|² (d: sample offset from the voxel centre, in voxels).
        var stride = offsetCorrection ? 6 : 2;
        var acc = new float[volume * stride];
        var intensity = new float[ny * nx];
        var mask = new uint[ny * nx];
        var half = size / 2;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = cancellation };
        var count = geometry.Angles.Count;
        for (var f = 0; f < count; f++)
        {
            cancellation.ThrowIfCancellationRequested();
            Array.Clear(mask);
            frames(f, intensity, mask);

            // Sample-frame q = R(−ω) q_lab, as a 3×3 matrix applied to every pixel.
            var r = Matrix(geometry.Axis, -geometry.Angles[f]);
            for (var parity = 0; parity < 2; parity++)
            {
                var first = parity;
                Parallel.For(0, (bands - parity + 1) / 2, parallel, b =>
                {
                    var bandIndex = first + (2 * b);
                    var rowEnd = Math.Min(ny, (bandIndex + 1) * band);
                    for (var i = bandIndex * band; i < rowEnd; i++)
                    {
                        for (var j = 0; j < nx; j++)
                        {
                            var p = (i * nx) + j;
                            if (mask[p] != 0)
                            {
                                continue;
                            }

                            var v = intensity[p];
                            if (!float.IsFinite(v))
                            {
                                continue;
                            }

                            var l = lab[p];
                            var gx = (r[0] * l.X) + (r[1] * l.Y) + (r[2] * l.Z) + half;
                            var gy = (r[3] * l.X) + (r[4] * l.Y) + (r[5] * l.Z) + half;
                            var gz = (r[6] * l.X) + (r[7] * l.Y) + (r[8] * l.Z) + half;
                            Splat(acc, stride, size, gx, gy, gz, v);
                        }
                    }
                });
            }

            progress?.Report((f + 1.0) / count);
        }

        // Normalise each record in place (Σw·I → mean, moments → averages), flag empty voxels, then write the (corrected) means.
        var outMask = new uint[volume];
        long filled = 0;
        for (long i = 0; i < volume; i++)
        {
            var o = i * stride;
            var w = acc[o + 1];
            if (w > 0)
            {
                for (var k = 0; k < stride; k++)
                {
                    acc[o + k] = k == 1 ? w : acc[o + k] / w;
                }

                filled++;
            }
            else
            {
                acc[o] = 0;
                outMask[i] = (uint)MaskFlags.Empty;
            }
        }

        var output = new float[volume];
        if (offsetCorrection)
        {
            CorrectOffsets(acc, output, outMask, size, parallel);
        }
        else
        {
            for (long i = 0; i < volume; i++)
            {
                output[i] = acc[i * stride];
            }
        }

        return new AssembledVolume(size, output, outMask, pitch, filled, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Bias correction of the weighted mean from the moments of its samples' offsets d from the voxel centre: by Taylor,
    /// mean ≈ I(v) + ∇I·⟨d⟩ + ½ (⟨|d|²⟩/3) ∇²I, so I(v) ≈ mean − ∇I·⟨d⟩ − ½ (⟨|d|²⟩/3) ∇²I, with the derivatives taken by
    /// finite differences of the means (one-sided gradients next to empty voxels; no curvature term there).
    /// </summary>
    private static void CorrectOffsets(float[] acc, float[] output, uint[] mask, int n, ParallelOptions parallel)
    {
        const int stride = 6;
        var step = new long[] { 1, n, (long)n * n };
        Parallel.For(0, n, parallel, z =>
        {
            for (var y = 0; y < n; y++)
            {
                for (var x = 0; x < n; x++)
                {
                    var i = ((((long)z * n) + y) * n) + x;
                    if (mask[i] != 0)
                    {
                        continue;
                    }

                    var o = i * stride;
                    var centre = acc[o];
                    int[] c = [x, y, z];
                    double delta = 0, laplacian = 0;
                    var complete = true;
                    for (var a = 0; a < 3; a++)
                    {
                        bool lo = c[a] > 0 && mask[i - step[a]] == 0, hi = c[a] < n - 1 && mask[i + step[a]] == 0;
                        var below = lo ? acc[(i - step[a]) * stride] : 0;
                        var above = hi ? acc[(i + step[a]) * stride] : 0;
                        var g = lo && hi ? 0.5 * (above - below) : hi ? above - centre : lo ? centre - below : 0;
                        delta += g * acc[o + 2 + a];
                        complete &= lo && hi;
                        laplacian += lo && hi ? above - (2 * centre) + below : 0;
                    }

                    if (complete)
                    {
                        delta += 0.5 * (acc[o + 5] / 3) * laplacian;
                    }

                    output[i] = (float)(centre - delta);
                }
            }
        });
    }

    /// <summary>Row-major 3×3 rotation matrix by <paramref name="angle"/> about the unit vector <paramref name="axis"/>.</summary>
    public static float[] Matrix(double[] axis, double angle)
    {
        var ex = TiltSeriesGeometry.Rotate((1, 0, 0), axis, angle);
        var ey = TiltSeriesGeometry.Rotate((0, 1, 0), axis, angle);
        var ez = TiltSeriesGeometry.Rotate((0, 0, 1), axis, angle);
        return [(float)ex.X, (float)ey.X, (float)ez.X, (float)ex.Y, (float)ey.Y, (float)ez.Y, (float)ex.Z, (float)ey.Z, (float)ez.Z];
    }

    private static void Splat(float[] acc, int stride, int n, float gx, float gy, float gz, float value)
    {
        var x0 = (int)MathF.Floor(gx);
        var y0 = (int)MathF.Floor(gy);
        var z0 = (int)MathF.Floor(gz);
        if (x0 < -1 || y0 < -1 || z0 < -1 || x0 >= n || y0 >= n || z0 >= n)
        {
            return;
        }

        float fx = gx - x0, fy = gy - y0, fz = gz - z0;
        for (var dz = 0; dz < 2; dz++)
        {
            var z = z0 + dz;
            if ((uint)z >= (uint)n)
            {
                continue;
            }

            var wz = dz == 0 ? 1 - fz : fz;
            var oz = fz - dz;
            for (var dy = 0; dy < 2; dy++)
            {
                var y = y0 + dy;
                if ((uint)y >= (uint)n)
                {
                    continue;
                }

                var wzy = wz * (dy == 0 ? 1 - fy : fy);
                var oy = fy - dy;
                var row = (((long)z * n) + y) * n;
                for (var dx = 0; dx < 2; dx++)
                {
                    var x = x0 + dx;
                    if ((uint)x >= (uint)n)
                    {
                        continue;
                    }

                    var w = wzy * (dx == 0 ? 1 - fx : fx);
                    if (w <= 0)
                    {
                        continue;
                    }

                    var o = (row + x) * stride;
                    acc[o] += w * value;
                    acc[o + 1] += w;
                    if (stride == 6)
                    {
                        var ox = fx - dx;
                        acc[o + 2] += w * ox;
                        acc[o + 3] += w * oy;
                        acc[o + 4] += w * oz;
                        acc[o + 5] += w * ((ox * ox) + (oy * oy) + (oz * oz));
                    }
                }
            }
        }
    }
}
