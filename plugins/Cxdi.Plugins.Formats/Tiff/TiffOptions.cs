using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;

namespace Cxdi.Plugins.Formats.Tiff;

/// <summary>Options of the <c>tiff</c> reader.</summary>
public sealed record TiffOptions : PluginOptions, IArrayReadOptions
{
    /// <summary>A separate mask file.</summary>
    [Description("Mask file (any readable format, file.h5:/path allowed) of the detector's shape; non-zero pixels are masked (User flag), a CXI mask dataset keeps its flags. Empty: none.")]
    public string? Mask { get; init; }

    /// <summary>First page.</summary>
    [Description("First page of a multi-page TIFF to read, from 0; each page is one frame.")]
    [Range(0, int.MaxValue)]
    public int FirstFrame { get; init; }

    /// <summary>Number of pages.</summary>
    [Description("Number of pages to read from first_frame; empty reads all the remaining ones.")]
    [Positive]
    public int? FrameCount { get; init; }

    /// <summary>Sum the pages.</summary>
    [Description("Sum the selected pages into one 2D pattern; a pixel masked in any page stays masked.")]
    public bool SumFrames { get; init; }

    /// <summary>Pixel size.</summary>
    [Description("Detector pixel size in metres (TIFF files carry no usable geometry).")]
    [Unit("m")]
    [Positive]
    public double? PixelSize { get; init; }

    /// <summary>Distance.</summary>
    [Description("Sample-to-detector distance in metres.")]
    [Unit("m")]
    [Positive]
    public double? DetectorDistance { get; init; }

    /// <summary>Wavelength.</summary>
    [Description("X-ray wavelength in metres.")]
    [Unit("m")]
    [Positive]
    public double? Wavelength { get; init; }
}
