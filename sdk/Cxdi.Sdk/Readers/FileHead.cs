namespace Cxdi.Sdk.Readers;

/// <summary>The first bytes of a file, which readers use to recognise their format by content.</summary>
public static class FileHead
{
    /// <summary>How many leading bytes <see cref="Read"/> returns at most (the 4 KiB that <see cref="Roles.IDataReader.CanRead"/> receives).</summary>
    public const int Length = 4096;

    /// <summary>Reads the first bytes of <paramref name="file"/> (up to <see cref="Length"/>).</summary>
    public static byte[] Read(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        var buffer = new byte[(int)Math.Min(Length, stream.Length)];
        stream.ReadExactly(buffer);
        return buffer;
    }
}
