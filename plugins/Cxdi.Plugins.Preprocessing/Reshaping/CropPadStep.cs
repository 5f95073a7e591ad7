using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Reshaping;

/// <summary>How the FFT-friendly size is chosen.</summary>
public enum SizeFit
{
    /// <summary>The largest FFT-friendly size not larger than the array (crops).</summary>
    Crop,

    /// <summary>The smallest FFT-friendly size not smaller than the array (pads with unknown pixels).</summary>
    Pad,
}

/// <summary>Options of <see cref="CropPadStep"/>.</summary>
public sealed record CropPadOptions : PluginOptions
{
    /// <summary>Explicit output size, slowest axis first.</summary>
    [Description("Explicit output size, slowest axis first ([ny, nx] or [nz, ny, nx]); when unset the size is chosen by fit with prime factors 2, 3, 5, 7 only.")]
    [Unit("px")]
    public int[]? Size { get; init; }

    /// <summary>Crop to the largest or pad to the smallest FFT-friendly size.</summary>
    [Description("crop: largest FFT-friendly even size ≤ the array (loses the outer pixels, faster FFTs); pad: smallest FFT-friendly even size ≥ the array (keeps every pixel, the padding is unknown).")]
    public SizeFit Fit { get; init; } = SizeFit.Crop;

    /// <summary>Centre the window on the beam centre.</summary>
    [Description("Centre the output window on the beam centre (when the geometry knows it) so the zero frequency lands at N/2; false centres on the array centre.")]
    public bool CenterOnBeam { get; init; } = true;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (Size is { } s && (s.Length is < 2 or > 3 || s.Any(n => n < 1)))
        {
            yield return new OptionProblem(nameof(Size), "size needs 2 or 3 positive values, slowest axis first, e.g. [512, 512]");
        }
    }
}

/// <summary>Crops or pads to an FFT-friendly size (prime factors 2, 3, 5, 7; even), the window centred on the beam; padding is unknown, never zero photons.</summary>
[CxdiPlugin("cxdi.crop", "1.0.0", Description = "Crop or pad to an FFT-friendly size centred on the beam; padding is flagged unknown.")]
public sealed class CropPadStep : PreprocessorBase<CropPadOptions>
{
    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, CropPadOptions options)
    {
        WorkflowShapeException.ThrowUnlessDetector(input);
        return input with { Shape = Target(input.Shape, options) };
    }

    /// <summary>The output shape for an input shape.</summary>
    public static Shape Target(Shape input, CropPadOptions options)
    {
        if (options.Size is { } size)
        {
            if (size.Length != input.Rank)
            {
                throw new WorkflowShapeException($"cxdi.crop size has {size.Length} values but the data are {input.Rank}D ({input})", $"give {input.Rank} values, slowest axis first");
            }

            return Shape.FromDimensions(size);
        }

        int Pick(int n) => options.Fit == SizeFit.Crop ? EvenFriendlyBelow(n) : EvenFriendlyAbove(n);
        return input.Is3D ? Shape.Of(Pick(input.Nz), Pick(input.Ny), Pick(input.Nx)) : Shape.Of(Pick(input.Ny), Pick(input.Nx));
    }

    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, CropPadOptions options, StepContext context)
    {
        var s = input.Shape;
        var t = Target(s, options);
        var (cy, cx) = options.CenterOnBeam ? Pixels.Centre(input) : (s.Ny / 2, s.Nx / 2);
        double cz = s.Nz / 2;
        int iz = (int)Math.Round(cz), iy = (int)Math.Round(cy), ix = (int)Math.Round(cx);
        int oz = t.Is3D ? iz - (t.Nz / 2) : 0, oy = iy - (t.Ny / 2), ox = ix - (t.Nx / 2);
        var (intensity, mask, outside) = ArrayWindow.Copy(input, t, oz, oy, ox);
        var g = input.Geometry with
        {
            BeamCenterX = input.Geometry.BeamCenterX is { } bx ? bx - ox : null,
            BeamCenterY = input.Geometry.BeamCenterY is { } by ? by - oy : null,
        };
        var output = ArrayWindow.With(input, t, intensity, mask, g);
        StepLog.Record(output, context, StepLog.IdOf(GetType()), $"{(t.Length <= s.Length ? "cropped" : "padded")} {s} to {t} centred on ({StepLog.F(cx)}, {StepLog.F(cy)}); {outside} pixels outside the detector flagged unknown", new Dictionary<string, object>
        {
            ["input_shape"] = s.ToString(),
            ["output_shape"] = t.ToString(),
            ["offset"] = new[] { oz, oy, ox },
            ["padded_pixels"] = outside,
        });
        return output;
    }

    /// <summary>The largest even integer ≤ n with prime factors 2, 3, 5, 7 only (n itself when 1).</summary>
    public static int EvenFriendlyBelow(int n)
    {
        for (var m = n; m >= 2; m--)
        {
            if (m % 2 == 0 && Pixels.IsFftFriendly(m))
            {
                return m;
            }
        }

        return n;
    }

    /// <summary>The smallest even integer ≥ n with prime factors 2, 3, 5, 7 only.</summary>
    public static int EvenFriendlyAbove(int n)
    {
        for (var m = Math.Max(n, 2); ; m++)
        {
            if (m % 2 == 0 && Pixels.IsFftFriendly(m))
            {
                return m;
            }
        }
    }
}
