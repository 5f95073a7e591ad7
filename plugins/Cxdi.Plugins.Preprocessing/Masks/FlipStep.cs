using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>An array axis: x = columns, y = rows, z = frames / depth.</summary>
public enum ArrayAxis
{
    /// <summary>Columns (fastest axis).</summary>
    X,

    /// <summary>Rows.</summary>
    Y,

    /// <summary>Frames or depth (3D only).</summary>
    Z,
}

/// <summary>Options of <see cref="FlipStep"/>.</summary>
public sealed record FlipOptions : PluginOptions
{
    /// <summary>Axis to reverse.</summary>
    [Description("Axis to reverse: x (columns), y (rows, e.g. to match a detector read out upside down) or z (frames, 3D only). Intensity, mask, support and beam centre are flipped together.")]
    public ArrayAxis Axis { get; init; } = ArrayAxis.Y;
}

/// <summary>
/// Reverses one axis of the intensity, the mask, the initial support and the beam centre (index i → N−1−i, as numpy.flip).
/// An unknown beam centre (taken as N/2) is recorded as N−1−N/2 afterwards, so later steps use the true centre.
/// </summary>
[CxdiPlugin("cxdi.flip", "1.0.0", Description = "Flip intensity, mask and beam centre along x, y or z.")]
public sealed class FlipStep : PreprocessorBase<FlipOptions>
{
    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, FlipOptions options)
    {
        WorkflowShapeException.ThrowUnlessDetector(input);
        if (options.Axis == ArrayAxis.Z && !input.Shape.Is3D)
        {
            throw new WorkflowShapeException($"cxdi.flip axis: z needs 3D data but receives {input}", "use axis: x or axis: y for a 2D pattern");
        }

        return input;
    }

    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, FlipOptions options, StepContext context)
    {
        Plan(input.Spec, options);
        var shape = input.Shape;
        Flip(input.Intensity, shape, options.Axis);
        Flip(input.Mask, shape, options.Axis);
        if (input.InitialSupport is { Length: var n } support && n == shape.Length)
        {
            Flip(support, shape, options.Axis);
        }

        if (input.GroundTruth is { Length: var m } truth && m == shape.Length)
        {
            Flip(truth, shape, options.Axis);
        }

        // The beam centre follows the pixels; when it was unknown (taken as the array centre N/2) it becomes N − 1 − N/2.
        var g = input.Geometry;
        var (cy, cx) = Pixels.Centre(g, shape);
        input.Geometry = options.Axis switch
        {
            ArrayAxis.X => g with { BeamCenterX = shape.Nx - 1 - cx, BeamCenterY = cy },
            ArrayAxis.Y => g with { BeamCenterY = shape.Ny - 1 - cy, BeamCenterX = cx },
            _ => g with { TiltAngles = g.TiltAngles?.Reverse().ToArray() },
        };
        var axis = options.Axis.ToString().ToLowerInvariant();
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"flipped the {shape} array along {axis}", new Dictionary<string, object> { ["axis"] = axis });
        return input;
    }

    /// <summary>Reverses <paramref name="axis"/> of a row-major array of <paramref name="shape"/> in place.</summary>
    public static void Flip<T>(T[] data, Shape shape, ArrayAxis axis)
    {
        int nz = shape.Nz, ny = shape.Ny, nx = shape.Nx;
        switch (axis)
        {
            case ArrayAxis.X:
                for (var row = 0L; row < (long)nz * ny; row++)
                {
                    data.AsSpan((int)(row * nx), nx).Reverse();
                }

                break;
            case ArrayAxis.Y:
                for (var z = 0; z < nz; z++)
                {
                    var frame = data.AsSpan(z * ny * nx, ny * nx);
                    for (int a = 0, b = ny - 1; a < b; a++, b--)
                    {
                        var ra = frame.Slice(a * nx, nx);
                        var rb = frame.Slice(b * nx, nx);
                        for (var x = 0; x < nx; x++)
                        {
                            (ra[x], rb[x]) = (rb[x], ra[x]);
                        }
                    }
                }

                break;
            default:
                var plane = ny * nx;
                for (int a = 0, b = nz - 1; a < b; a++, b--)
                {
                    var pa = data.AsSpan(a * plane, plane);
                    var pb = data.AsSpan(b * plane, plane);
                    for (var i = 0; i < plane; i++)
                    {
                        (pa[i], pb[i]) = (pb[i], pa[i]);
                    }
                }

                break;
        }
    }
}
