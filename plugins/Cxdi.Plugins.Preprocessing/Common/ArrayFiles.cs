using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Common;

/// <summary>Reads auxiliary arrays (mask, dark, flat, background files) through the host's reader plugins.</summary>
internal static class ArrayFiles
{
    /// <summary>The reader id for a file name: .edf → esrf.edf, .npy → numpy.npy, .h5/.hdf5/.cxi/.nxs → cxi.hdf5, .tif/.tiff → tiff.</summary>
    public static string? ReaderFor(string path)
    {
        var file = DataPath.Parse(path).File;
        return Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".edf" => "esrf.edf",
            ".npy" => "numpy.npy",
            ".h5" or ".hdf5" or ".cxi" or ".nxs" => "cxi.hdf5",
            ".tif" or ".tiff" => "tiff",
            _ => null,
        };
    }

    /// <summary>
    /// Reads <paramref name="path"/> with reader <paramref name="readerId"/> (or the one its extension names) resolved from
    /// <see cref="StepContext.Plugins"/>; <paramref name="option"/> names the option in error messages.
    /// </summary>
    public static DiffractionData Read(StepContext context, string path, string? readerId, string option)
    {
        var id = readerId ?? ReaderFor(path)
            ?? throw new InvalidInputException(path, $"cannot tell which reader to use for {option}", "give the reader id with the reader option (esrf.edf, numpy.npy, cxi.hdf5, tiff)");
        var resolver = context.Plugins
            ?? throw new InvalidInputException(path, $"{option} needs the host's reader plugins to read the file", "run this step inside a cxdi workflow");
        var (reader, options) = resolver.Resolve<IDataReader>(id);
        return reader.Read(DataPath.Parse(path), options, context);
    }

    /// <summary>Throws unless <paramref name="aux"/> has the frame shape of <paramref name="data"/> (or its full shape when <paramref name="allowFull"/>).</summary>
    public static void CheckFrameShape(DiffractionData data, DiffractionData aux, string path, string option, bool allowFull = true)
    {
        var f = data.Shape;
        var a = aux.Shape;
        var frameMatch = a.Nz == 1 && a.Ny == f.Ny && a.Nx == f.Nx;
        var fullMatch = allowFull && a == f;
        if (!frameMatch && !fullMatch)
        {
            throw new InvalidInputException(path, $"{option} is {a} but the data frames are {f.Ny}x{f.Nx}", "give an array of the detector's frame shape, or apply the step before cropping or binning");
        }
    }
}
