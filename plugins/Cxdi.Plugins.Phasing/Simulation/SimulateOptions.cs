using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Phasing.Simulation;

/// <summary>Options of the <c>cxdi.simulate</c> reader (and of <c>cxdi simulate</c>).</summary>
public record SimulateOptions : PluginOptions
{
    /// <summary>2 or 3 dimensions.</summary>
    [Description("2 for a 2D pattern, 3 for a 3D volume.")]
    [Range(2, 3)]
    public int Dims { get; init; } = 2;

    /// <summary>Array size per axis.</summary>
    [Description("Pixels along every axis of the pattern (even sizes are centred exactly); memory and time grow as size^dims.")]
    [Unit("px")]
    [Range(16, 4096)]
    public int Size { get; init; } = 256;

    /// <summary>Oversampling ratio.</summary>
    [Description("Array size divided by the object diameter (also the speckle size in pixels); at least 3 so shrink-wrap has room.")]
    [Range(3.0, 64.0)]
    public double Oversampling { get; init; } = 4;

    /// <summary>Complex object.</summary>
    [Description("Give the object a smooth phase field (a complex object); false makes it real and positive.")]
    public bool Complex { get; init; } = true;

    /// <summary>Total photons.</summary>
    [Description("Expected photons in the whole pattern before masking; Poisson noise follows. 1e9 is clean, 1e6 is noisy.")]
    [Unit("photons")]
    [Range(1.0, 1e18)]
    public double Photons { get; init; } = 1e9;

    /// <summary>Random seed.</summary>
    [Description("Seed of the object shape, its texture and the photon noise.")]
    public long Seed { get; init; } = 1;

    /// <summary>Beamstop radius in speckles.</summary>
    [Description("Radius of the central beamstop in speckles (one speckle = oversampling pixels); 0 = none. Ignored when beamstop_radius_px is set.")]
    [Unit("speckles")]
    [Range(0.0, 100.0)]
    public double BeamstopRadius { get; init; } = 0.5;

    /// <summary>Beamstop radius in pixels.</summary>
    [Description("Radius of the central beamstop in pixels; overrides beamstop_radius when above 0.")]
    [Unit("px")]
    [Range(0.0, 10000.0)]
    public double BeamstopRadiusPx { get; init; }

    /// <summary>Detector gap width.</summary>
    [Description("Width of the detector gaps in pixels; 0 = no gaps.")]
    [Unit("px")]
    [Range(0, 1000)]
    public int GapWidth { get; init; }

    /// <summary>Gap positions.</summary>
    [Description("Offsets of the gaps from the pattern centre in pixels; each offset makes one horizontal and one vertical gap.")]
    [Unit("px")]
    public int[] GapOffsets { get; init; } = [];

    /// <summary>Blobs making the object.</summary>
    [Description("Random ellipses (ellipsoids) whose union forms the compact object.")]
    [Range(1, 100)]
    public int Blobs { get; init; } = 5;

    /// <summary>Frames of a time-resolved series.</summary>
    [Description("Number of frames of a time-resolved series (2D only): the result is a stack of 2D patterns, frames along the first axis, with the true object per frame; 0 simulates one pattern.")]
    [Range(0, 100000)]
    public int Series { get; init; }

    /// <summary>How the object moves from frame to frame.</summary>
    [Description("Motion of the object over a series, one or several of drift (translation), rotate, grow (isotropic scaling), deform (smooth wave-like displacement field); combined in that order.")]
    public SeriesMotion[] Motion { get; init; } = [SeriesMotion.Drift];

    /// <summary>Scale of the motion.</summary>
    [Description("Multiplies the motion over the whole series: 1 gives a drift of 1/4 of the object diameter, a 30° rotation, 20 % growth and a deformation of 1/16 of the diameter.")]
    [Range(0.0, 100.0)]
    public double MotionScale { get; init; } = 1;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (Series > 0 && Dims != 2)
        {
            yield return new OptionProblem(nameof(Series), $"a series simulates 2D frames; dims is {Dims} (use dims 2)");
        }

        if (Series > 0 && (long)Series * Size * Size > 1L << 31)
        {
            yield return new OptionProblem(nameof(Series), $"{Series} frames of {Size}x{Size} exceed 2^31 pixels; simulate fewer or smaller frames");
        }

        if (Series > 0 && Motion.Length == 0)
        {
            yield return new OptionProblem(nameof(Motion), "a series needs at least one motion (drift, rotate, grow or deform)");
        }

        if (Dims == 3 && Size > 512)
        {
            yield return new OptionProblem(nameof(Size), $"a 3D simulation of {Size}^3 is too large; use size ≤ 512");
        }

        foreach (var offset in GapOffsets)
        {
            if (Math.Abs(offset) >= Size / 2)
            {
                yield return new OptionProblem(nameof(GapOffsets), $"gap offset {offset} lies outside a {Size}-pixel pattern (|offset| < {Size / 2})");
            }
        }
    }
}
