namespace Cxdi.Plugins.Formats.Writers;

/// <summary>Writes a file atomically: into a temporary file in the target directory, then renamed over the target.</summary>
internal static class AtomicFile
{
    /// <summary>Calls <paramref name="write"/> with a temporary path beside <paramref name="path"/> and moves the result into place.</summary>
    public static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
