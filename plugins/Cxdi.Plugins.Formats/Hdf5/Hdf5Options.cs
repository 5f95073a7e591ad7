using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;

namespace Cxdi.Plugins.Formats.Hdf5;

/// <summary>Options of the <c>cxi.hdf5</c> reader.</summary>
public sealed record Hdf5Options : PluginOptions, IArrayReadOptions
{
    /// <summary>Dataset path inside the file.</summary>
    [Description("Dataset to read, e.g. /entry_1/data_1/data; a path written file.h5:/path wins. Empty: the CXI data, then /entry_1/instrument_1/detector_1/data, Eiger /entry/data/data, LIMA/BLISS measurement data, else the largest 2D/3D numeric dataset.")]
    public string? Dataset { get; init; }

    /// <summary>Flag mask dataset inside the same file.</summary>
    [Description("Mask dataset in the same file: CXI 32-bit flags (or an Eiger pixel_mask, bits mapped to gap/dead/hot). Empty: /entry_1/instrument_1/detector_1/mask or the Eiger pixel_mask when present; 'none' ignores the file's mask.")]
    public string? MaskDataset { get; init; }

    /// <summary>A separate mask file.</summary>
    [Description("Mask file (any readable format, file.h5:/path allowed) of the detector's shape; non-zero pixels are masked (User flag), a CXI mask dataset keeps its flags. Empty: none.")]
    public string? Mask { get; init; }

    /// <summary>First frame of a 3D dataset.</summary>
    [Description("First frame of a 3D dataset to read, from 0. Reading a subset reads only those chunks.")]
    [Range(0, int.MaxValue)]
    public int FirstFrame { get; init; }

    /// <summary>Number of frames.</summary>
    [Description("Number of frames to read from first_frame; empty reads all the remaining ones.")]
    [Positive]
    public int? FrameCount { get; init; }

    /// <summary>Sum the frames.</summary>
    [Description("Sum the selected frames into one 2D pattern (more photons, no 3D stack); a pixel masked in any frame stays masked.")]
    public bool SumFrames { get; init; }

    /// <summary>Dataset of tilt angles.</summary>
    [Description("Dataset holding one sample rotation angle per frame (a tilt series), in degrees unless its 'units' attribute says rad. Empty: none.")]
    public string? TiltAngles { get; init; }

    /// <summary>Pixel size override.</summary>
    [Description("Detector pixel size in metres, overriding x_pixel_size/y_pixel_size from the file.")]
    [Unit("m")]
    [Positive]
    public double? PixelSize { get; init; }

    /// <summary>Distance override.</summary>
    [Description("Sample-to-detector distance in metres, overriding the file's distance.")]
    [Unit("m")]
    [Positive]
    public double? DetectorDistance { get; init; }

    /// <summary>Wavelength override.</summary>
    [Description("X-ray wavelength in metres, overriding the file's wavelength or energy.")]
    [Unit("m")]
    [Positive]
    public double? Wavelength { get; init; }
}
