namespace Cxdi.Sdk.Readers;

/// <summary>The options every built-in array reader shares: frame selection, a separate mask file and geometry overrides.</summary>
public interface IArrayReadOptions
{
    /// <summary>A mask file (any readable format, <c>file.h5:/path</c> allowed), or null.</summary>
    string? Mask { get; }

    /// <summary>First frame of a stack to read, from 0.</summary>
    int FirstFrame { get; }

    /// <summary>Number of frames to read, or null for all from <see cref="FirstFrame"/>.</summary>
    int? FrameCount { get; }

    /// <summary>Sum the selected frames into one 2D pattern.</summary>
    bool SumFrames { get; }

    /// <summary>Detector pixel size in metres overriding the file, or null.</summary>
    double? PixelSize { get; }

    /// <summary>Sample-to-detector distance in metres overriding the file, or null.</summary>
    double? DetectorDistance { get; }

    /// <summary>Wavelength in metres overriding the file, or null.</summary>
    double? Wavelength { get; }
}
