using Cxdi.Sdk.Errors;

namespace Cxdi.Plugins.Imaging;

/// <summary>Writes a file so that readers see either the old file or the complete new one, never a partial file.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/> and renames it over <paramref name="path"/>; on failure the temporary file is removed.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new InvalidInputException(full, $"cannot write the picture: {e.Message}", "check that the output directory exists, is writable and has free space");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is what the user needs to see; a stale temp file is harmless and named as hidden.
        }
    }
}
