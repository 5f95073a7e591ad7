using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Reshaping;

/// <summary>Options of <see cref="SymmetrizeStep"/>.</summary>
public sealed record SymmetrizeOptions : PluginOptions
{
    /// <summary>Which unknown flags may be filled.</summary>
    [Description("Unknown pixels carrying only these flags are filled from I(−q) when that pixel is measured: gaps and beamstop arms typically; leave saturated/hot out (their partners are usually unknown anyway).")]
    public MaskFlags[] Flags { get; init; } = [MaskFlags.Gap, MaskFlags.Beamstop, MaskFlags.User, MaskFlags.Invalid, MaskFlags.Dead, MaskFlags.Ignore];
}

/// <summary>
/// Fills unknown pixels with their centrosymmetric partner I(−q) (Friedel's law, valid for a weakly absorbing object in
/// forward geometry) where that partner is measured, and clears their flags. The centre is the beam centre (array centre
/// when unknown; N/2 along z).
/// </summary>
[CxdiPlugin("cxdi.symmetrize", "1.0.0", Description = "Fill masked pixels from their centrosymmetric partner I(−q) where it is measured.")]
public sealed class SymmetrizeStep : PreprocessorBase<SymmetrizeOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, SymmetrizeOptions options, StepContext context)
    {
        var allowed = options.Flags.Aggregate(0u, (a, f) => a | (uint)f) & Pixels.Unknown;
        var (filled, remaining) = Fill(input, allowed);
        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"filled {filled} unknown pixels from I(−q); {remaining} stay unknown", new Dictionary<string, object>
        {
            ["filled_pixels"] = filled,
            ["unknown_pixels"] = remaining,
        });
        return input;
    }

    /// <summary>The mirror index of (z, y, x) through the centre, or −1 when outside the array.</summary>
    public static long Mirror(Shape s, int z2, int y2, int x2, int z, int y, int x)
    {
        int mz = z2 - z, my = y2 - y, mx = x2 - x;
        return mz < 0 || mz >= s.Nz || my < 0 || my >= s.Ny || mx < 0 || mx >= s.Nx ? -1 : ((((long)mz * s.Ny) + my) * s.Nx) + mx;
    }

    /// <summary>Twice the centre, rounded to integers (z, y, x), for <see cref="Mirror"/>.</summary>
    public static (int Z2, int Y2, int X2) TwiceCentre(DiffractionData data)
    {
        var (cy, cx) = Pixels.Centre(data);
        return (data.Shape.Is3D ? 2 * (data.Shape.Nz / 2) : 0, (int)Math.Round(2 * cy), (int)Math.Round(2 * cx));
    }

    /// <summary>Fills in place; returns (filled, still unknown).</summary>
    public static (long Filled, long Remaining) Fill(DiffractionData data, uint allowed)
    {
        var s = data.Shape;
        var (z2, y2, x2) = TwiceCentre(data);
        var fill = new List<(long Index, long Source)>();
        for (var z = 0; z < s.Nz; z++)
        {
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    var i = ((((long)z * s.Ny) + y) * s.Nx) + x;
                    var m = data.Mask[i] & Pixels.Unknown;
                    if (m == 0 || (m & ~allowed) != 0)
                    {
                        continue;
                    }

                    var j = Mirror(s, z2, y2, x2, z, y, x);
                    if (j >= 0 && data.IsMeasured(j))
                    {
                        fill.Add((i, j));
                    }
                }
            }
        }

        foreach (var (i, j) in fill)
        {
            data.Intensity[i] = data.Intensity[j];
            data.Mask[i] &= ~Pixels.Unknown;
        }

        return (fill.Count, Pixels.CountUnknown(data.Mask));
    }
}
