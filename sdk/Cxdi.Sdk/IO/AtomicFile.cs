using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cxdi.Sdk.IO;

/// <summary>
/// Writes files so that readers see either the old file or the complete new one, never a partial file: the content goes
/// to a hidden temporary file in the target's directory (<c>.name.pid.guid.tmp</c>), which is then renamed over the target;
/// on failure the temporary file is deleted and the exception propagates unchanged. A process killed while writing
/// (<c>kill -9</c>, power loss) leaves its temporary file behind: <see cref="RemoveStale"/> removes those of dead processes.
/// </summary>
public static partial class AtomicFile
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

    /// <summary>Whether <paramref name="fileName"/> (a name, not a path) is a temporary file of this class, and of which process.</summary>
    public static bool IsTemporaryName(string fileName, out int processId)
    {
        processId = 0;
        var match = TemporaryName().Match(fileName ?? "");
        return match.Success && int.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out processId);
    }

    /// <summary>
    /// Deletes the temporary files in <paramref name="directory"/> (not below it) left by processes that are no longer running
    /// (or by an earlier process that had this process's id); files of running processes and every other file are left alone.
    /// Returns the full paths of the files deleted; a file that cannot be deleted is skipped.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var removed = new List<string>();
        if (!Directory.Exists(directory))
        {
            return removed;
        }

        foreach (var path in Directory.EnumerateFiles(directory, ".*.tmp", SearchOption.TopDirectoryOnly))
        {
            if (IsTemporaryName(Path.GetFileName(path), out var pid) && !IsRunning(pid))
            {
                try
                {
                    File.Delete(path);
                    removed.Add(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left for a later run; a stale hidden temp file is harmless.
                }
            }
        }

        return removed;
    }

    /// <summary>Whether another process with this id is running (this process's own id counts as not running: it has no temporary file open when it cleans).</summary>
    private static bool IsRunning(int processId)
    {
        if (processId == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary><c>.name.pid.guid.tmp</c>, as <see cref="Prepare"/> names them.</summary>
    [GeneratedRegex(@"^\..+\.(?<pid>[0-9]{1,10})\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

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
