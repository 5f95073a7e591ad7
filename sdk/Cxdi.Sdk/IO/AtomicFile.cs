using System.Text;

namespace Cxdi.Sdk.IO;

/// <summary>
/// Writes files so that readers see either the old file or the complete new one, never a partial file: the content goes
/// to a hidden temporary file in the target's directory (<c>.name.pid.guid.tmp</c>), which is then renamed over the target;
/// on failure the temporary file is deleted and the exception propagates unchanged.
/// </summary>
public static class AtomicFile
{
    /// <summary>Calls <paramref name="write"/> with a temporary path beside <paramref name="path"/> (for libraries that write by file name) and moves the result into place.</summary>
    public static void Write(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var (full, temp) = Prepare(path);
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, flushed to disk before the rename.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var (full, temp) = Prepare(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> as UTF-8 without a byte-order mark, flushed to disk before the rename.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
    }

    /// <summary>Resolves the target, creates its directory and names a temporary file beside it that no other writer uses.</summary>
    private static (string Full, string Temp) Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        return (full, Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
    }

    /// <summary>Deletes a temporary file, ignoring failures: the original error is what the caller needs to see, and a stale hidden temp file is harmless.</summary>
    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keep the original failure.
        }
    }
}
