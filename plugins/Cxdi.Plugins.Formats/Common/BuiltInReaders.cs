using Cxdi.Plugins.Formats.Edf;
using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Plugins.Formats.Numpy;
using Cxdi.Plugins.Formats.Tiff;
using Cxdi.Sdk.Readers;

namespace Cxdi.Plugins.Formats.Common;

/// <summary>The built-in readers as mask sources: a mask file may be in any of their formats, whatever the data's format.</summary>
internal static class BuiltInReaders
{
    /// <summary>The formats of <see cref="ArraySources"/>, for the hint when none recognises a mask file.</summary>
    public const string MaskFormats = "EDF, TIFF, NPY/NPZ or HDF5/CXI";

    /// <summary>The built-in readers that can read a whole array (for mask files), in detection order.</summary>
    public static IReadOnlyList<IArraySource> ArraySources { get; } = [new EdfReader(), new Hdf5Reader(), new NpyReader(), new TiffReader()];
}
