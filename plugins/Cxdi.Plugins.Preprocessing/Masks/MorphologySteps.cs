using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Neighbourhood of a binary dilation or erosion.</summary>
public enum Neighbourhood
{
    /// <summary>All pixels within the radius in both x and y (a square of side 2r+1).</summary>
    Square,

    /// <summary>Pixels within the Euclidean radius.</summary>
    Disc,
}

/// <summary>Options of <see cref="GrowMaskStep"/> and <see cref="ShrinkMaskStep"/>.</summary>
public sealed record MorphologyOptions : PluginOptions
{
    /// <summary>Which flags to grow or shrink.</summary>
    [Description("Flags to grow or shrink (each separately), e.g. [beamstop] or [saturated, hot]; default: every detector flag.")]
    public MaskFlags[] Flags { get; init; } = [MaskFlags.Unknown];

    /// <summary>Radius of the structuring element.</summary>
    [Description("Radius of the structuring element in pixels: 1–2 covers blurred beamstop edges and blooming around saturated pixels.")]
    [Unit("px")]
    [Range(1, 100)]
    public int Radius { get; init; } = 1;

    /// <summary>Square or disc.</summary>
    [Description("Structuring element: square (side 2·radius+1) or disc (Euclidean radius).")]
    public Neighbourhood Shape { get; init; } = Neighbourhood.Square;

    /// <summary>Selected flag bits.</summary>
    internal uint Bits => Flags.Aggregate(0u, (a, f) => a | (uint)f) & Pixels.Unknown;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (Bits == 0)
        {
            yield return new OptionProblem(nameof(Flags), "name at least one detector flag (invalid, saturated, hot, dead, beamstop, user, ignore, gap, empty or unknown)");
        }
    }
}

/// <summary>Binary morphology on mask flags, frame by frame.</summary>
internal static class Morphology
{
    /// <summary>Dilates (<paramref name="grow"/>) or erodes each selected bit of <paramref name="data"/>'s mask; returns the change in unknown pixels.</summary>
    public static long Apply(DiffractionData data, MorphologyOptions options, bool grow)
    {
        var shape = data.Shape;
        int ny = shape.Ny, nx = shape.Nx, r = options.Radius;
        var offsets = new List<(int Dy, int Dx)>();
        for (var dy = -r; dy <= r; dy++)
        {
            for (var dx = -r; dx <= r; dx++)
            {
                if (options.Shape == Neighbourhood.Square || (dx * dx) + (dy * dy) <= r * r)
                {
                    offsets.Add((dy, dx));
                }
            }
        }

        var bits = options.Bits;
        var before = Pixels.CountUnknown(data.Mask);
        var source = new uint[ny * nx];
        for (var z = 0; z < shape.Nz; z++)
        {
            var frame = data.Mask.AsSpan(z * ny * nx, ny * nx);
            frame.CopyTo(source);
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    // Dilation: OR of the selected bits over the neighbourhood. Erosion: AND, with pixels beyond the edge counted as set.
                    var acc = grow ? 0u : bits;
                    foreach (var (dy, dx) in offsets)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || yy >= ny || xx < 0 || xx >= nx)
                        {
                            continue;
                        }

                        var v = source[(yy * nx) + xx] & bits;
                        acc = grow ? acc | v : acc & v;
                    }

                    var i = (y * nx) + x;
                    frame[i] = (source[i] & ~bits) | acc;
                }
            }
        }

        return Pixels.CountUnknown(data.Mask) - before;
    }
}

/// <summary>Grows (binary dilation) the selected mask flags by a radius, e.g. to cover a blurred beamstop edge.</summary>
[CxdiPlugin("cxdi.mask.grow", "1.0.0", Description = "Grow (dilate) mask flags by a radius.")]
public sealed class GrowMaskStep : PreprocessorBase<MorphologyOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, MorphologyOptions options, StepContext context)
    {
        var added = Morphology.Apply(input, options, grow: true);
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"grew the mask by {options.Radius} px: {added} more pixels unknown", new Dictionary<string, object> { ["pixels_added"] = added });
        return input;
    }
}

/// <summary>Shrinks (binary erosion) the selected mask flags by a radius, e.g. to give back an over-generous mask's rim.</summary>
[CxdiPlugin("cxdi.mask.shrink", "1.0.0", Description = "Shrink (erode) mask flags by a radius.")]
public sealed class ShrinkMaskStep : PreprocessorBase<MorphologyOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, MorphologyOptions options, StepContext context)
    {
        var removed = -Morphology.Apply(input, options, grow: false);
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"shrank the mask by {options.Radius} px: {removed} pixels measured again", new Dictionary<string, object> { ["pixels_removed"] = removed });
        return input;
    }
}
