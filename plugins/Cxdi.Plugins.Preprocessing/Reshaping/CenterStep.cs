using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Reshaping;

/// <summary>How the centre of the pattern is found.</summary>
public enum CenterMethod
{
    /// <summary>The brightest measured pixel.</summary>
    Max,

    /// <summary>The intensity-weighted centre of mass of the measured pixels.</summary>
    CenterOfMass,

    /// <summary>The centre of symmetry: the peak of the cross-correlation of the pattern with its point inversion (sub-pixel).</summary>
    Symmetry,
}

/// <summary>Options of <see cref="CenterStep"/>.</summary>
public sealed record CenterOptions : PluginOptions
{
    /// <summary>Centre-finding method.</summary>
    [Description("max: brightest pixel (fast, fooled by a hot pixel or a beamstop edge); center_of_mass: weighted mean (biased by asymmetric masks); symmetry: centre of Friedel symmetry from the cross-correlation of log(1+I) with its point inversion (robust, sub-pixel, needs an FFT).")]
    public CenterMethod Method { get; init; } = CenterMethod.Symmetry;

    /// <summary>Apply the integer shift (else only report and set the beam centre).</summary>
    [Description("Shift the arrays by whole pixels so the centre lands on N/2 (what phasing expects); false only records the centre as the beam centre.")]
    public bool Shift { get; init; } = true;
}

/// <summary>
/// Finds the centre of the pattern (maximum, centre of mass or centre of symmetry), shifts the arrays by whole pixels so
/// that it lands on N/2 (pixels shifted in are unknown) and records the sub-pixel estimate and the residual offset.
/// </summary>
[CxdiPlugin("cxdi.center", "1.0.0", Description = "Centre the pattern on its maximum, centre of mass or centre of symmetry (integer shift, sub-pixel estimate reported).")]
public sealed class CenterStep : PreprocessorBase<CenterOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, CenterOptions options, StepContext context)
    {
        var s = input.Shape;
        var centre = options.Method switch
        {
            CenterMethod.Max => Maximum(input),
            CenterMethod.CenterOfMass => CentreOfMass(input),
            _ => Symmetry(input, context),
        };
        int tz = s.Nz / 2, ty = s.Ny / 2, tx = s.Nx / 2;
        int oz = s.Is3D ? (int)Math.Round(centre[0]) - tz : 0, oy = (int)Math.Round(centre[1]) - ty, ox = (int)Math.Round(centre[2]) - tx;
        DiffractionData output = input;
        long outside = 0;
        if (options.Shift)
        {
            (var intensity, var mask, outside) = ArrayWindow.Copy(input, s, oz, oy, ox);
            output = ArrayWindow.With(input, s, intensity, mask, input.Geometry);
            output.InitialSupport = input.InitialSupport;
            output.GroundTruth = input.GroundTruth;
        }
        else
        {
            (oz, oy, ox) = (0, 0, 0);
        }

        output.Geometry = output.Geometry with { BeamCenterX = centre[2] - ox, BeamCenterY = centre[1] - oy };
        var name = options.Method switch { CenterMethod.Max => "maximum", CenterMethod.CenterOfMass => "centre of mass", _ => "centre of symmetry" };
        var at = s.Is3D ? $"(x {StepLog.F(centre[2], "F2")}, y {StepLog.F(centre[1], "F2")}, z {StepLog.F(centre[0], "F2")})" : $"(x {StepLog.F(centre[2], "F2")}, y {StepLog.F(centre[1], "F2")})";
        var shift = options.Shift ? $"shifted by ({-ox}, {-oy}{(s.Is3D ? $", {-oz}" : "")}) px to N/2, residual sub-pixel offset ({StepLog.F(centre[2] - ox - tx, "F2")}, {StepLog.F(centre[1] - oy - ty, "F2")}) px; {outside} pixels shifted in are unknown" : "not shifted";
        StepLog.Record(output, context, StepLog.IdOf(GetType()), $"{name} at {at}; {shift}", new Dictionary<string, object>
        {
            ["method"] = options.Method.ToString(),
            ["center"] = centre,
            ["shift"] = new[] { -oz, -oy, -ox },
            ["unknown_pixels_added"] = outside,
        });
        return output;
    }

    /// <summary>(z, y, x) of the brightest measured pixel.</summary>
    public static double[] Maximum(DiffractionData data)
    {
        var best = -1L;
        for (long i = 0; i < data.Intensity.LongLength; i++)
        {
            if (data.IsMeasured(i) && (best < 0 || data.Intensity[i] > data.Intensity[best]))
            {
                best = i;
            }
        }

        var s = data.Shape;
        best = Math.Max(best, 0);
        return [best / ((long)s.Ny * s.Nx), best / s.Nx % s.Ny, best % s.Nx];
    }

    /// <summary>(z, y, x) of the intensity-weighted centre of mass of the measured, non-negative pixels.</summary>
    public static double[] CentreOfMass(DiffractionData data)
    {
        var s = data.Shape;
        double w = 0, sz = 0, sy = 0, sx = 0;
        for (var z = 0; z < s.Nz; z++)
        {
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    var i = ((((long)z * s.Ny) + y) * s.Nx) + x;
                    var v = data.Intensity[i];
                    if (data.IsMeasured(i) && v > 0)
                    {
                        w += v;
                        sz += v * z;
                        sy += v * y;
                        sx += v * x;
                    }
                }
            }
        }

        return w > 0 ? [sz / w, sy / w, sx / w] : [s.Nz / 2, s.Ny / 2, s.Nx / 2];
    }

    /// <summary>
    /// (z, y, x) of the centre of symmetry c: with a(x) = log(1+I) on measured pixels (0 elsewhere), the self-convolution
    /// (a∗a)(p) = Σ a(x) a(p−x) peaks at p = 2c (mod N); it is computed as FFT⁻¹(FFT(a)²), the peak refined by a parabola per
    /// axis, and of the two candidates p/2 and p/2 + N/2 the one nearer the centre of mass is kept.
    /// </summary>
    public static double[] Symmetry(DiffractionData data, StepContext context)
    {
        var s = data.Shape;
        var buffer = new Complex32[s.Length];
        for (long i = 0; i < buffer.LongLength; i++)
        {
            var v = data.Intensity[i];
            buffer[i] = new Complex32(data.IsMeasured(i) && v > 0 ? MathF.Log(1 + v) : 0, 0);
        }

        using (var backend = Fft.Backend(context, "cxdi.center method: symmetry"))
        {
            backend.Transform(buffer, s, FftDirection.Forward);
            for (long i = 0; i < buffer.LongLength; i++)
            {
                buffer[i] *= buffer[i];
            }

            backend.Transform(buffer, s, FftDirection.Inverse);
        }

        var best = 0L;
        for (long i = 1; i < buffer.LongLength; i++)
        {
            if (buffer[i].Re > buffer[best].Re)
            {
                best = i;
            }
        }

        int pz = (int)(best / ((long)s.Ny * s.Nx)), py = (int)(best / s.Nx % s.Ny), px = (int)(best % s.Nx);
        double Value(int z, int y, int x) => buffer[((((long)((z + s.Nz) % s.Nz) * s.Ny) + ((y + s.Ny) % s.Ny)) * s.Nx) + ((x + s.Nx) % s.Nx)].Re;
        double Refine(double minus, double centre, double plus)
        {
            var d = minus - (2 * centre) + plus;
            return d < 0 ? Math.Clamp(0.5 * (minus - plus) / d, -0.5, 0.5) : 0;
        }

        var p = new[]
        {
            s.Nz > 2 ? pz + Refine(Value(pz - 1, py, px), Value(pz, py, px), Value(pz + 1, py, px)) : pz,
            py + Refine(Value(pz, py - 1, px), Value(pz, py, px), Value(pz, py + 1, px)),
            px + Refine(Value(pz, py, px - 1), Value(pz, py, px), Value(pz, py, px + 1)),
        };
        var com = CentreOfMass(data);
        var n = new double[] { s.Nz, s.Ny, s.Nx };
        var result = new double[3];
        for (var a = 0; a < 3; a++)
        {
            var c1 = p[a] / 2;
            var c2 = c1 + (n[a] / 2);
            result[a] = Math.Abs(c1 - com[a]) <= Math.Abs(c2 - com[a]) ? c1 : c2;
        }

        if (!s.Is3D)
        {
            result[0] = 0;
        }

        return result;
    }
}
