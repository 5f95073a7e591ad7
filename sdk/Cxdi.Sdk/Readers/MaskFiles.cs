using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Roles;

namespace Cxdi.Sdk.Readers;

/// <summary>
/// Reads a separate mask file with the readers a reader offers (format detected by content): CXI flag datasets are used as
/// flags, any other array marks its non-zero pixels <see cref="MaskFlags.User"/>. A 2D mask applies to every frame of a stack.
/// </summary>
internal static class MaskFiles
{
    /// <summary>Resolves the file part of <paramref name="spec"/>: as given, else relative to the data file's directory.</summary>
    public static string ResolveFile(string spec, DataPath data) => Resolve(spec, data).File;

    /// <summary>Loads the mask as flags for <paramref name="nz"/> frames of <paramref name="ny"/> × <paramref name="nx"/> with the first of <paramref name="sources"/> that recognises it.</summary>
    public static uint[] Load(string spec, DataPath data, int nz, int ny, int nx, IReadOnlyList<IArraySource> sources, string formats, CancellationToken cancellation)
    {
        var path = Resolve(spec, data);
        ReaderErrors.RequireFile(path.File);
        var head = FileHead.Read(path.File);
        var reader = sources.FirstOrDefault(r => r.CanRead(path.File, head))
            ?? throw new UnsupportedFormatException(path.ToString(), "mask file is in no format the reader knows", $"save the mask as {formats}");
        var array = reader.ReadAll(path, cancellation);
        var frame = (long)ny * nx;
        var total = nz * frame;
        var dims = ReaderErrors.NormaliseDims(path, array.Dims);
        var matchesFrame = dims.Length == 2 && dims[0] == ny && dims[1] == nx;
        var matchesStack = dims.Length == 3 && dims[0] == nz && dims[1] == ny && dims[2] == nx;
        if (!matchesFrame && !matchesStack)
        {
            var want = nz > 1 ? $"{ny}x{nx} or {nz}x{ny}x{nx}" : $"{ny}x{nx}";
            throw new InvalidInputException(path.ToString(), $"mask shape {string.Join("x", dims)} differs from the data shape {want} of {data}", "use a mask of the detector's shape");
        }

        var raw = array.ToFlags();
        if (!array.HoldsFlags)
        {
            for (var i = 0; i < raw.Length; i++)
            {
                raw[i] = raw[i] != 0 ? (uint)MaskFlags.User : 0u;
            }
        }

        if (raw.LongLength == total)
        {
            return raw;
        }

        var mask = new uint[total];
        for (var z = 0; z < nz; z++)
        {
            raw.CopyTo(mask, z * frame);
        }

        return mask;
    }

    private static DataPath Resolve(string spec, DataPath data)
    {
        var path = DataPath.Parse(spec);
        if (!Path.IsPathRooted(path.File) && !File.Exists(path.File))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(data.File)) ?? ".";
            var beside = DataPath.Parse(Path.Combine(dir, spec));
            if (File.Exists(beside.File))
            {
                return beside;
            }
        }

        return path;
    }
}
