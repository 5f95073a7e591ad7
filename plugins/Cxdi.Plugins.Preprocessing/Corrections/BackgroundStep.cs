using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Corrections;

/// <summary>How the background is modelled.</summary>
public enum BackgroundMode
{
    /// <summary>One value for every pixel.</summary>
    Constant,

    /// <summary>A function of the distance to the beam centre (azimuthal statistic per ring).</summary>
    Radial,
}

/// <summary>Azimuthal statistic of a ring.</summary>
public enum RingStatistic
{
    /// <summary>Median of the ring's known pixels (robust to speckles and outliers).</summary>
    Median,

    /// <summary>Mean of the ring's known pixels.</summary>
    Mean,
}

/// <summary>Options of <see cref="BackgroundStep"/>.</summary>
public sealed record BackgroundOptions : PluginOptions
{
    /// <summary>Constant or radial.</summary>
    [Description("constant: subtract value; radial: subtract the azimuthal statistic per ring of the background image (path) or, without path, of the data itself.")]
    public BackgroundMode Mode { get; init; } = BackgroundMode.Constant;

    /// <summary>Constant background.</summary>
    [Description("Constant background per pixel (mode constant), e.g. air scattering measured off the sample.")]
    [Unit("photons")]
    public double Value { get; init; }

    /// <summary>Background image for the radial profile.</summary>
    [Description("Background measurement (no sample) whose radial profile is subtracted; without it the data's own ring statistic is used, which only suits a flat diffuse floor under sparse speckles.")]
    public string? Path { get; init; }

    /// <summary>Reader id for the background file.</summary>
    [Description("Reader plugin id for path; default from the file extension.")]
    public string? Reader { get; init; }

    /// <summary>Median or mean per ring.</summary>
    [Description("Azimuthal statistic per ring: median (robust to speckles and hot pixels) or mean.")]
    public RingStatistic Statistic { get; init; } = RingStatistic.Median;

    /// <summary>Ring width.</summary>
    [Description("Ring width in pixels: wider rings are less noisy but follow a steep profile less closely.")]
    [Unit("px")]
    [Range(0.5, 1000.0)]
    public double RingWidth { get; init; } = 1;

    /// <summary>Scale applied to the background before subtraction.</summary>
    [Description("Factor applied to the background before subtraction (e.g. exposure or transmission ratio).")]
    public double Scale { get; init; } = 1;
}

/// <summary>Subtracts a constant or radial (azimuthally averaged) background; negative results are kept and counted (see cxdi.sanitize).</summary>
[CxdiPlugin("cxdi.background", "1.0.0", Description = "Subtract a constant or radial (azimuthal median/mean per ring) background.")]
public sealed class BackgroundStep : PreprocessorBase<BackgroundOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, BackgroundOptions options, StepContext context)
    {
        var (frames, frame) = Pixels.Frames(input.Shape);
        float[] background;
        string what;
        if (options.Mode == BackgroundMode.Constant)
        {
            background = new float[frame];
            Array.Fill(background, (float)options.Value);
            what = $"a constant {StepLog.F(options.Value)}";
        }
        else
        {
            DiffractionData source = input;
            if (options.Path is { } path)
            {
                source = ArrayFiles.Read(context, path, options.Reader, "path");
                ArrayFiles.CheckFrameShape(input, source, path, "the background");
                source.Geometry = input.Geometry;
            }

            background = RadialProfile(source, options.RingWidth, options.Statistic);
            what = $"the radial {options.Statistic.ToString().ToLowerInvariant()} of {(options.Path is null ? "the data" : System.IO.Path.GetFileName(options.Path))}";
        }

        var scale = (float)options.Scale;
        long negative = 0;
        for (var z = 0; z < frames; z++)
        {
            for (var p = 0; p < frame; p++)
            {
                var i = ((long)z * frame) + p;
                input.Intensity[i] -= scale * background[p];
                negative += input.Intensity[i] < 0 ? 1 : 0;
            }
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"subtracted {what}: {negative} pixels now negative", new Dictionary<string, object> { ["negative_pixels"] = negative });
        return input;
    }

    /// <summary>
    /// The background image of one frame: each pixel gets the statistic of the known pixels (over all frames) of its ring
    /// around the beam centre (array centre when unknown); rings with no known pixel give 0.
    /// </summary>
    public static float[] RadialProfile(DiffractionData data, double ringWidth, RingStatistic statistic)
    {
        var shape = data.Shape;
        var (cy, cx) = Pixels.Centre(data);
        var (frames, frame) = Pixels.Frames(shape);
        var ringOf = new int[frame];
        var rings = 0;
        for (var y = 0; y < shape.Ny; y++)
        {
            for (var x = 0; x < shape.Nx; x++)
            {
                var r = (int)(Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) / ringWidth);
                ringOf[(y * shape.Nx) + x] = r;
                rings = Math.Max(rings, r + 1);
            }
        }

        var values = new List<float>[rings];
        for (var r = 0; r < rings; r++)
        {
            values[r] = [];
        }

        for (var z = 0; z < frames; z++)
        {
            for (var p = 0; p < frame; p++)
            {
                var i = ((long)z * frame) + p;
                if (data.IsMeasured(i) && float.IsFinite(data.Intensity[i]))
                {
                    values[ringOf[p]].Add(data.Intensity[i]);
                }
            }
        }

        var level = new float[rings];
        for (var r = 0; r < rings; r++)
        {
            var v = values[r];
            if (v.Count == 0)
            {
                continue;
            }

            if (statistic == RingStatistic.Mean)
            {
                level[r] = (float)v.Average(f => (double)f);
            }
            else
            {
                v.Sort();
                level[r] = v.Count % 2 == 1 ? v[v.Count / 2] : 0.5f * (v[(v.Count / 2) - 1] + v[v.Count / 2]);
            }
        }

        var result = new float[frame];
        for (var p = 0; p < frame; p++)
        {
            result[p] = level[ringOf[p]];
        }

        return result;
    }
}
