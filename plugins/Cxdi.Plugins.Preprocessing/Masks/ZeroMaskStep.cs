using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Options of <see cref="ZeroMaskStep"/>.</summary>
public sealed record ZeroMaskOptions : PluginOptions
{
    /// <summary>Pixels with intensity ≤ this value count as "zero".</summary>
    [Description("Pixels whose value is ≤ this count as unmeasured zeros (0: exactly zero). Raise it only when the file writes a small pedestal into dead areas.")]
    [Unit("photons")]
    public double Value { get; init; }

    /// <summary>Radius around the centre within which zeros are masked as beamstop.</summary>
    [Description("Zeros within this radius of the beam centre (array centre when unknown) are flagged beamstop. Real zero counts are rare near the centre, so a generous radius is safe; 0 disables.")]
    [Unit("px")]
    [Range(0, 100000)]
    public double CenterRadius { get; init; } = 50;

    /// <summary>Width of the border band within which zeros are masked as invalid.</summary>
    [Description("Zeros within this many pixels of the array edges are flagged invalid (detector frame, edge rectangles). Genuine zero counts at high q elsewhere stay measured; 0 disables.")]
    [Unit("px")]
    [Range(0, 100000)]
    public int EdgeWidth { get; init; } = 10;
}

/// <summary>
/// Flags unmeasured zeros: pixels ≤ <see cref="ZeroMaskOptions.Value"/> near the centre become <see cref="MaskFlags.Beamstop"/>,
/// near the edges <see cref="MaskFlags.Invalid"/>. Zeros elsewhere are real zero-photon counts and stay measured.
/// </summary>
[CxdiPlugin("cxdi.mask.zeros", "1.0.0", Description = "Mask zero pixels near the beam centre (beamstop) and near the edges (invalid).")]
public sealed class ZeroMaskStep : PreprocessorBase<ZeroMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, ZeroMaskOptions options, StepContext context)
    {
        var shape = input.Shape;
        var (cy, cx) = Pixels.Centre(input);
        var r2 = options.CenterRadius * options.CenterRadius;
        var edge = options.EdgeWidth;
        var level = options.Value;
        long centre = 0, border = 0;
        var intensity = input.Intensity;
        var mask = input.Mask;
        for (var z = 0; z < shape.Nz; z++)
        {
            for (var y = 0; y < shape.Ny; y++)
            {
                var dy = y - cy;
                var nearEdgeY = y < edge || y >= shape.Ny - edge;
                var row = ((long)z * shape.Ny + y) * shape.Nx;
                for (var x = 0; x < shape.Nx; x++)
                {
                    var i = row + x;
                    if (!(intensity[i] <= level))
                    {
                        continue;
                    }

                    var dx = x - cx;
                    if (options.CenterRadius > 0 && (dx * dx) + (dy * dy) <= r2)
                    {
                        if ((mask[i] & (uint)MaskFlags.Beamstop) == 0)
                        {
                            mask[i] |= (uint)MaskFlags.Beamstop;
                            centre++;
                        }
                    }
                    else if (nearEdgeY || x < edge || x >= shape.Nx - edge)
                    {
                        if ((mask[i] & (uint)MaskFlags.Invalid) == 0)
                        {
                            mask[i] |= (uint)MaskFlags.Invalid;
                            border++;
                        }
                    }
                }
            }
        }

        var message = $"masked {centre} zero pixels within {StepLog.F(options.CenterRadius)} px of the centre ({StepLog.F(cx)}, {StepLog.F(cy)}) as beamstop and {border} within {edge} px of the edges as invalid";
        StepLog.Record(input, context, StepLog.IdOf(GetType()), message, new Dictionary<string, object>
        {
            ["beamstop_pixels"] = centre,
            ["edge_pixels"] = border,
            ["center_x"] = cx,
            ["center_y"] = cy,
        });
        return input;
    }
}
