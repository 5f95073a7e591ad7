using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;

namespace Cxdi.Plugins.Formats.Edf;

/// <summary>Options of the <c>esrf.edf</c> reader.</summary>
public sealed record EdfOptions : PluginOptions, IArrayReadOptions
{
    /// <summary>A mask file (EDF, TIFF, NPY/NPZ, HDF5/CXI; <c>file.h5:/path</c> allowed); non-zero pixels are masked.</summary>
    [Description("Mask file (any readable format, file.h5:/path allowed) of the detector's shape; non-zero pixels are masked (User flag), a CXI mask dataset keeps its flags. Empty: no mask file.")]
    public string? Mask { get; init; }

    /// <summary>First frame of a multi-image file to read.</summary>
    [Description("First image of a multi-image EDF file to read, from 0. Reading a subset saves memory.")]
    [Range(0, int.MaxValue)]
    public int FirstFrame { get; init; }

    /// <summary>Number of frames to read.</summary>
    [Description("Number of images to read from first_frame; empty reads all the remaining ones.")]
    [Positive]
    public int? FrameCount { get; init; }

    /// <summary>Sum the selected frames into one pattern.</summary>
    [Description("Sum the selected images into one 2D pattern (more photons, no 3D stack); a pixel masked in any image stays masked.")]
    public bool SumFrames { get; init; }

    /// <summary>Pixel size override.</summary>
    [Description("Detector pixel size in metres, overriding PSize_1/PSize_2 from the header (EDF files often omit it; Maxipix: 55e-6).")]
    [Unit("m")]
    [Positive]
    public double? PixelSize { get; init; }

    /// <summary>Distance override.</summary>
    [Description("Sample-to-detector distance in metres, overriding SampleDistance from the header.")]
    [Unit("m")]
    [Positive]
    public double? DetectorDistance { get; init; }

    /// <summary>Wavelength override.</summary>
    [Description("X-ray wavelength in metres, overriding WaveLength from the header.")]
    [Unit("m")]
    [Positive]
    public double? Wavelength { get; init; }
}
