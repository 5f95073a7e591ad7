using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Shape of a beamstop shadow.</summary>
public enum BeamstopShape
{
    /// <summary>A disc of radius <see cref="BeamstopMaskOptions.Radius"/>.</summary>
    Disc,

    /// <summary>A rectangle of <see cref="BeamstopMaskOptions.Width"/> × <see cref="BeamstopMaskOptions.Height"/>.</summary>
    Rectangle,
}

/// <summary>Options of <see cref="BeamstopMaskStep"/>.</summary>
public sealed record BeamstopMaskOptions : PluginOptions
{
    /// <summary>Disc or rectangle.</summary>
    [Description("Shadow shape: disc (radius) or rectangle (width × height).")]
    public BeamstopShape Shape { get; init; } = BeamstopShape.Disc;

    /// <summary>Disc radius.</summary>
    [Description("Disc radius in pixels; pixels whose centre lies within it are flagged. Err on the large side: the shadow edge is blurred.")]
    [Unit("px")]
    [Range(0, 100000)]
    public double Radius { get; init; } = 10;

    /// <summary>Rectangle width (columns).</summary>
    [Description("Rectangle width in pixels (along x).")]
    [Unit("px")]
    [Range(0, 100000)]
    public double Width { get; init; } = 20;

    /// <summary>Rectangle height (rows).</summary>
    [Description("Rectangle height in pixels (along y).")]
    [Unit("px")]
    [Range(0, 100000)]
    public double Height { get; init; } = 20;

    /// <summary>Centre column; default the beam centre (array centre when unknown).</summary>
    [Description("Column of the shadow's centre; default the beam centre, or the array centre when the geometry does not know it.")]
    [Unit("px")]
    public double? CenterX { get; init; }

    /// <summary>Centre row; default the beam centre (array centre when unknown).</summary>
    [Description("Row of the shadow's centre; default the beam centre, or the array centre when the geometry does not know it.")]
    [Unit("px")]
    public double? CenterY { get; init; }
}

/// <summary>Flags a disc or rectangle (the beamstop shadow) as <see cref="MaskFlags.Beamstop"/> in every frame.</summary>
[CxdiPlugin("cxdi.mask.beamstop", "1.0.0", Description = "Flag a beamstop disc or rectangle around the beam centre.")]
public sealed class BeamstopMaskStep : PreprocessorBase<BeamstopMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, BeamstopMaskOptions options, StepContext context)
    {
        var shape = input.Shape;
        var (by, bx) = Pixels.Centre(input);
        var cy = options.CenterY ?? by;
        var cx = options.CenterX ?? bx;
        long perFrame = 0;
        var frame = shape.Ny * shape.Nx;
        for (var y = 0; y < shape.Ny; y++)
        {
            for (var x = 0; x < shape.Nx; x++)
            {
                double dx = x - cx, dy = y - cy;
                var inside = options.Shape == BeamstopShape.Disc
                    ? (dx * dx) + (dy * dy) <= options.Radius * options.Radius
                    : Math.Abs(dx) <= options.Width / 2 && Math.Abs(dy) <= options.Height / 2;
                if (!inside)
                {
                    continue;
                }

                perFrame++;
                for (var z = 0; z < shape.Nz; z++)
                {
                    input.Mask[((long)z * frame) + (y * shape.Nx) + x] |= (uint)MaskFlags.Beamstop;
                }
            }
        }

        var what = options.Shape == BeamstopShape.Disc ? $"disc of radius {StepLog.F(options.Radius)} px" : $"{StepLog.F(options.Width)}×{StepLog.F(options.Height)} px rectangle";
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"flagged a beamstop {what} at ({StepLog.F(cx)}, {StepLog.F(cy)}): {perFrame} pixels per frame", new Dictionary<string, object>
        {
            ["pixels_per_frame"] = perFrame,
            ["center_x"] = cx,
            ["center_y"] = cy,
        });
        return input;
    }
}
