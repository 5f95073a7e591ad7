using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Plugins.Preprocessing.Corrections;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Reshaping;

/// <summary>Options of <see cref="BinStep"/>.</summary>
public sealed record BinOptions : PluginOptions
{
    /// <summary>Bin factors: one value for rows and columns, or one per axis slowest first.</summary>
    [Description("Bin factor: one value bins rows and columns (frames untouched), or one per axis slowest first ([2, 2] or [1, 2, 2]). Binning lowers the oversampling by the same factor.")]
    public int[] Factor { get; init; } = [2];

    /// <summary>How constituent masks combine.</summary>
    [Description("any: a binned pixel is unknown if any constituent was unknown (safe); all: only if all were, the known constituents rescaled to the full count (keeps more pixels near masks).")]
    public MaskCombine Combine { get; init; } = MaskCombine.Any;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (Factor.Length is < 1 or > 3 || Factor.Any(f => f < 1))
        {
            yield return new OptionProblem(nameof(Factor), "factor needs 1 to 3 positive integers, e.g. 2 or [1, 2, 2]");
        }
    }
}

/// <summary>Sums blocks of pixels (trailing remainders dropped); the mask is combined consistently; pixel size and beam centre are updated.</summary>
[CxdiPlugin("cxdi.bin", "1.0.0", Description = "Bin pixels by summing blocks; masks combined (any/all), pixel size updated.")]
public sealed class BinStep : PreprocessorBase<BinOptions>
{
    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, BinOptions options)
    {
        WorkflowShapeException.ThrowUnlessDetector(input);
        var (fz, fy, fx) = Factors(input.Shape, options);
        var s = input.Shape;
        if (s.Nz < fz || s.Ny < fy || s.Nx < fx)
        {
            throw new WorkflowShapeException($"cxdi.bin factor [{fz}, {fy}, {fx}] is larger than the data ({s})", "use a smaller factor");
        }

        return input with { Shape = s.Is3D ? Shape.Of(s.Nz / fz, s.Ny / fy, s.Nx / fx) : Shape.Of(s.Ny / fy, s.Nx / fx) };
    }

    private static (int Z, int Y, int X) Factors(Shape s, BinOptions o) => o.Factor.Length switch
    {
        1 => (1, o.Factor[0], o.Factor[0]),
        2 when !s.Is3D => (1, o.Factor[0], o.Factor[1]),
        3 when s.Is3D => (o.Factor[0], o.Factor[1], o.Factor[2]),
        _ => throw new WorkflowShapeException($"cxdi.bin factor has {o.Factor.Length} values but the data are {s.Rank}D ({s})", "give one value, or one per axis"),
    };

    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, BinOptions options, StepContext context)
    {
        var t = Plan(input.Spec, options).Shape;
        var s = input.Shape;
        var (fz, fy, fx) = Factors(s, options);
        var total = fz * fy * fx;
        var intensity = new float[t.Length];
        var mask = new uint[t.Length];
        long unknown = 0, rescaled = 0;
        Parallel.For(0, t.Nz * t.Ny, zy =>
        {
            int z = zy / t.Ny, y = zy % t.Ny;
            for (var x = 0; x < t.Nx; x++)
            {
                double sum = 0;
                var known = 0;
                uint flags = 0;
                for (var a = 0; a < fz; a++)
                {
                    for (var b = 0; b < fy; b++)
                    {
                        var row = ((((long)z * fz) + a) * s.Ny + ((long)y * fy) + b) * s.Nx;
                        for (var c = 0; c < fx; c++)
                        {
                            var i = row + ((long)x * fx) + c;
                            var m = input.Mask[i];
                            flags |= m;
                            if ((m & Pixels.Unknown) == 0)
                            {
                                sum += input.Intensity[i];
                                known++;
                            }
                        }
                    }
                }

                var o = ((long)zy * t.Nx) + x;
                var isUnknown = options.Combine == MaskCombine.Any ? known < total : known == 0;
                mask[o] = isUnknown ? flags : flags & ~Pixels.Unknown;
                intensity[o] = known > 0 ? (float)(sum * total / known) : 0;
                if (isUnknown)
                {
                    Interlocked.Increment(ref unknown);
                }
                else if (known < total)
                {
                    Interlocked.Increment(ref rescaled);
                }
            }
        });

        var g = input.Geometry;
        var geometry = g with
        {
            PixelSizeX = g.PixelSizeX * fx,
            PixelSizeY = g.PixelSizeY * fy,
            BeamCenterX = g.BeamCenterX is { } bx ? ((bx + 0.5) / fx) - 0.5 : null,
            BeamCenterY = g.BeamCenterY is { } by ? ((by + 0.5) / fy) - 0.5 : null,
        };
        var output = ArrayWindow.With(input, t, intensity, mask, geometry);
        StepLog.Record(output, context, StepLog.IdOf(GetType()), $"binned {s} by [{fz}, {fy}, {fx}] to {t}: {unknown} binned pixels unknown, {rescaled} partially masked ones rescaled", new Dictionary<string, object>
        {
            ["output_shape"] = t.ToString(),
            ["unknown_pixels"] = unknown,
            ["rescaled_pixels"] = rescaled,
        });
        return output;
    }
}
