using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Imaging.Rendering;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Imaging;

/// <summary>A picture <c>cxdi.png</c> can draw; each becomes <c>&lt;base&gt;_&lt;name&gt;.png</c>.</summary>
public enum Picture
{
    /// <summary>Object amplitude |ψ| (or the ground truth's for simulated diffraction data).</summary>
    Amplitude,

    /// <summary>Object phase with a cyclic colour map.</summary>
    Phase,

    /// <summary>Support.</summary>
    Support,

    /// <summary>Measured intensity on a log scale with masked pixels marked.</summary>
    Diffraction,

    /// <summary>LLK and free LLK against cycle for every run.</summary>
    Metrics,

    /// <summary>Phase retrieval transfer function against spatial frequency.</summary>
    Prtf,

    /// <summary>Per-pixel standard deviation of the amplitude over the aligned kept runs (<c>amplitude_uncertainty.png</c>).</summary>
    AmplitudeUncertainty,

    /// <summary>Per-pixel spread of the phase of the aligned kept runs about the average's, inside the support (<c>phase_uncertainty.png</c>).</summary>
    PhaseUncertainty,

    /// <summary>Fourier shell correlations (half runs, half pixels) with the 1/7 threshold, and the PRTF with 1/e.</summary>
    Fsc,
}

/// <summary>Options of <c>cxdi.png</c>.</summary>
public sealed record PngWriterOptions : PluginOptions
{
    /// <summary>Picture width in pixels.</summary>
    [Description("Width of each picture in pixels; larger shows more detail but makes bigger files.")]
    [Unit("px")]
    [Range(200, 8000)]
    public int Width { get; init; } = 900;

    /// <summary>Picture height in pixels.</summary>
    [Description("Height of each picture in pixels.")]
    [Unit("px")]
    [Range(150, 8000)]
    public int Height { get; init; } = 720;

    /// <summary>Which pictures to draw.</summary>
    [Description("Pictures to draw: amplitude, phase, support, diffraction, metrics, prtf, amplitude_uncertainty, phase_uncertainty, fsc. A picture whose data are absent (no PRTF, no metric history, fewer than 2 kept runs for the uncertainty maps, no FSC) is skipped.")]
    public Picture[] Pictures { get; init; } = [Picture.Amplitude, Picture.Phase, Picture.Support, Picture.Diffraction, Picture.Metrics, Picture.Prtf, Picture.AmplitudeUncertainty, Picture.PhaseUncertainty, Picture.Fsc];

    /// <summary>Lowest intensity shown on log scales.</summary>
    [Description("Intensities below this many photons are drawn as this value on log-scale diffraction pictures (zero counts would be −∞); lower it to see faint speckles, raise it to hide noise.")]
    [Unit("photons")]
    [Positive]
    public double LogFloor { get; init; } = 0.5;

    /// <summary>Colour map for amplitudes and supports.</summary>
    [Description("Colour map for amplitude pictures: viridis, inferno, gray (hsv and twilight are cyclic, meant for phases).")]
    public ColorMapName AmplitudeColormap { get; init; } = ColorMapName.Viridis;

    /// <summary>Colour map for log-scale diffraction.</summary>
    [Description("Colour map for log-scale diffraction pictures: inferno, viridis, gray.")]
    public ColorMapName DiffractionColormap { get; init; } = ColorMapName.Inferno;

    /// <summary>Cyclic colour map for phases.</summary>
    [Description("Cyclic colour map for phase pictures: hsv (hue wheel) or twilight (pale at ±π, dark at 0); must be cyclic so that −π and +π look the same.")]
    public ColorMapName PhaseColormap { get; init; } = ColorMapName.Hsv;

    /// <summary>How the phase picture shows the object.</summary>
    [Description("Phase shading: amplitude (brightness follows |ψ|, black outside the support), support (full colour inside the support, black outside), flat (colour everywhere, noise included).")]
    public PhaseShading PhaseShading { get; init; } = PhaseShading.Amplitude;

    /// <summary>Zoom object pictures to the support.</summary>
    [Description("Crop object-space pictures (amplitude, phase, support) to the support's bounding box plus crop_margin; off shows the whole array, mostly empty when the oversampling is high.")]
    public bool CropToSupport { get; init; } = true;

    /// <summary>Margin around the support when cropping.</summary>
    [Description("Pixels kept around the support's bounding box when crop_to_support is on.")]
    [Unit("px")]
    [Range(0, 10000)]
    public int CropMargin { get; init; } = 8;

    /// <summary>Colour of masked (unmeasured) detector pixels.</summary>
    [Description("Colour of masked (unmeasured) detector pixels on diffraction pictures, as #rrggbb; pick one that no colour-map value takes.")]
    public string MaskColor { get; init; } = "#29c5f6";

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (!ColorMap.Of(PhaseColormap).IsCyclic)
        {
            yield return new OptionProblem(nameof(PhaseColormap), $"phase_colormap '{PhaseColormap.ToString().ToLowerInvariant()}' is not cyclic: −π and +π would get different colours; use hsv or twilight");
        }

        if (!Rgb.TryParse(MaskColor, out _))
        {
            yield return new OptionProblem(nameof(MaskColor), $"mask_color '{MaskColor}' is not a colour; write it as #rrggbb, e.g. #29c5f6");
        }

        if (Pictures.Length == 0)
        {
            yield return new OptionProblem(nameof(Pictures), "pictures is empty: list at least one of amplitude, phase, support, diffraction, metrics, prtf, amplitude_uncertainty, phase_uncertainty, fsc");
        }
    }
}
