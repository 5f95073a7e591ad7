using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;

namespace Cxdi.Plugins.Formats.Numpy;

/// <summary>Options of the <c>numpy.npy</c> reader.</summary>
public sealed record NpyOptions : PluginOptions, IArrayReadOptions
{
    /// <summary>NPZ member to read.</summary>
    [Description("Member of an .npz archive to read (name without .npy); a path written file.npz:/name wins. Empty: the only member, else 'data', 'intensity', 'iobs' or 'arr_0'.")]
    public string? Member { get; init; }

    /// <summary>NPZ member holding a mask.</summary>
    [Description("Member of an .npz archive holding a mask (non-zero = masked, User flag). Empty: 'mask' when present; 'none' ignores it.")]
    public string? MaskMember { get; init; }

    /// <summary>A separate mask file.</summary>
    [Description("Mask file (any readable format, file.h5:/path allowed) of the detector's shape; non-zero pixels are masked (User flag), a CXI mask dataset keeps its flags. Empty: none.")]
    public string? Mask { get; init; }

    /// <summary>First frame.</summary>
    [Description("First frame of a 3D array to read, from 0.")]
    [Range(0, int.MaxValue)]
    public int FirstFrame { get; init; }

    /// <summary>Number of frames.</summary>
    [Description("Number of frames to read from first_frame; empty reads all the remaining ones.")]
    [Positive]
    public int? FrameCount { get; init; }

    /// <summary>Sum the frames.</summary>
    [Description("Sum the selected frames into one 2D pattern; a pixel masked in any frame stays masked.")]
    public bool SumFrames { get; init; }

    /// <summary>Pixel size.</summary>
    [Description("Detector pixel size in metres (.npy files carry no geometry).")]
    [Unit("m")]
    [Positive]
    public double? PixelSize { get; init; }

    /// <summary>Distance.</summary>
    [Description("Sample-to-detector distance in metres (.npy files carry no geometry).")]
    [Unit("m")]
    [Positive]
    public double? DetectorDistance { get; init; }

    /// <summary>Wavelength.</summary>
    [Description("X-ray wavelength in metres (.npy files carry no geometry).")]
    [Unit("m")]
    [Positive]
    public double? Wavelength { get; init; }
}
