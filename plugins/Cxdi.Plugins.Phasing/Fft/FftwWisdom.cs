namespace Cxdi.Plugins.Phasing.Fft;

/// <summary>
/// FFTW wisdom (measured plans) kept on disk so that <see cref="FftPlanning.Measure"/> costs seconds only the first
/// time a shape is seen on a machine. The file is <c>$CXDI_FFTW_WISDOM</c> when set (<c>none</c> disables it), else
/// <c>$XDG_CACHE_HOME/cxdi/fftwf-&lt;host&gt;.wisdom</c> or <c>~/.cache/cxdi/…</c>. Reading and writing never fail a
/// run: an unreadable or unwritable file only means planning is measured again. Writes go to a temporary file in the
/// same directory, then replace the old file, so a concurrent reader never sees half a file.
/// <see cref="ImportOnce"/> and <see cref="Export"/> must be called with FFTW's planner lock held.
/// </summary>
internal static class FftwWisdom
{
    /// <summary>Environment variable naming the wisdom file.</summary>
    public const string Variable = "CXDI_FFTW_WISDOM";

    private static bool _imported;

    /// <summary>The wisdom file for this process's environment, or null when disabled or no home directory is known.</summary>
    public static string? FilePath => ResolvePath(
        Environment.GetEnvironmentVariable(Variable),
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        Environment.MachineName);

    /// <summary>
    /// The wisdom file: <paramref name="overridden"/> when set (null for "none"), else
    /// <c>&lt;cache&gt;/cxdi/fftwf-&lt;machine&gt;.wisdom</c> with cache = an absolute <paramref name="xdgCache"/> or
    /// <c>&lt;home&gt;/.cache</c>; null when neither is known.
    /// </summary>
    public static string? ResolvePath(string? overridden, string? xdgCache, string? home, string machine)
    {
        overridden = overridden?.Trim();
        if (!string.IsNullOrEmpty(overridden))
        {
            return string.Equals(overridden, "none", StringComparison.OrdinalIgnoreCase) ? null : overridden;
        }

        return MachineFile("fftwf", "wisdom", xdgCache, home, machine);
    }

    /// <summary>
    /// <c>&lt;cache&gt;/cxdi/&lt;stem&gt;-&lt;machine&gt;.&lt;extension&gt;</c> with cache = an absolute
    /// <paramref name="xdgCache"/> or <c>&lt;home&gt;/.cache</c>; null when neither is known. Per-machine measurements
    /// (FFTW wisdom, parallel-run decisions) live there.
    /// </summary>
    public static string? MachineFile(string stem, string extension, string? xdgCache, string? home, string machine)
    {
        string? cache = xdgCache;
        if (string.IsNullOrWhiteSpace(cache) || !Path.IsPathRooted(cache))
        {
            if (string.IsNullOrEmpty(home))
            {
                return null;
            }

            cache = Path.Combine(home, ".cache");
        }

        string host = string.Concat(machine.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
        return Path.Combine(cache, "cxdi", $"{stem}-{host}.{extension}");
    }

    /// <summary>Whether the last import found and accepted a wisdom file.</summary>
    public static bool Loaded { get; private set; }

    /// <summary>Imports the wisdom file once per process, if it exists.</summary>
    public static void ImportOnce()
    {
        if (_imported)
        {
            return;
        }

        _imported = true;
        string? path = FilePath;
        try
        {
            if (path is not null && File.Exists(path))
            {
                Loaded = FftwNative.ImportWisdomFromFilename(path) != 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Loaded = false;
        }
    }

    /// <summary>
    /// Writes all wisdom accumulated in this process (including what was imported) to <paramref name="path"/>
    /// atomically; returns false, without throwing, when the file cannot be written.
    /// </summary>
    public static bool Export(string path)
    {
        string? temporary = null;
        try
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            Directory.CreateDirectory(directory);
            temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            if (FftwNative.ExportWisdomToFilename(temporary) != 0)
            {
                File.Move(temporary, path, overwrite: true);
                temporary = null;
                return true;
            }

            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Wisdom only saves planning time: a read-only or full disk leaves the next run to measure again.
            return false;
        }
        finally
        {
            if (temporary is not null)
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Leftover temporary file in a directory we cannot write to; nothing else to do.
                }
            }
        }
    }
}
