using Cxdi.Plugins.Formats.Edf;
using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Plugins.Formats.Numpy;
using Cxdi.Plugins.Formats.Tiff;

namespace Cxdi.Plugins.Formats.Common;

/// <summary>Content sniffing shared by the readers.</summary>
internal static class FormatDetection
{
    /// <summary>How many leading bytes <see cref="Head"/> returns at most.</summary>
    public const int HeadLength = 4096;

    /// <summary>The built-in readers that can read a whole array (for mask files), in detection order.</summary>
    public static IReadOnlyList<IArraySource> ArraySources { get; } = [new EdfReader(), new Hdf5Reader(), new NpyReader(), new TiffReader()];

    /// <summary>The first bytes of a file (up to <see cref="HeadLength"/>).</summary>
    public static byte[] Head(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        var buffer = new byte[(int)Math.Min(HeadLength, stream.Length)];
        stream.ReadExactly(buffer);
        return buffer;
    }
}
