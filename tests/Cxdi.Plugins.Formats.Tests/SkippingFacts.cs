using System.Diagnostics;

namespace Cxdi.Plugins.Formats.Tests;

/// <summary>
/// A fact skipped (with the reason) when /usr/bin/python3 or one of the named Python modules is missing; the requirement
/// <see cref="Python.BitshuffleFilter"/> probes that h5py can really write and read bitshuffle and LZ4 chunks.
/// </summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute(params string[] modules)
    {
        Skip = Python.MissingReason(modules);
    }
}

/// <summary>Runs /usr/bin/python3 scripts for interop tests.</summary>
internal static class Python
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>
    /// A requirement, not a module: h5py can write and read a bitshuffle+LZ4 (32008) and an LZ4 (32004) dataset. Importing
    /// hdf5plugin is not enough: Debian's python3-hdf5plugin loads the filters from system packages, which may be absent.
    /// </summary>
    public const string BitshuffleFilter = "filter:bitshuffle";

    /// <summary>The probe behind <see cref="BitshuffleFilter"/>: writes and reads back tiny compressed datasets in memory.</summary>
    public const string BitshuffleProbe = """
        import numpy as np, h5py, hdf5plugin
        a = np.arange(64, dtype=np.uint32).reshape(8, 8)
        with h5py.File('probe.h5', 'w', driver='core', backing_store=False) as f:
            f.create_dataset('bs', data=a, chunks=(8, 8), **hdf5plugin.Bitshuffle(cname='lz4'))
            f.create_dataset('lz4', data=a, chunks=(8, 8), **hdf5plugin.LZ4())
            assert (f['bs'][()] == a).all() and (f['lz4'][()] == a).all(), 'filter round trip differs'
        """;

    private static readonly Lazy<Dictionary<string, string?>> Cache = new(() => new Dictionary<string, string?>(StringComparer.Ordinal));

    /// <summary>Null when python and every module import, else why not.</summary>
    public static string? MissingReason(params string[] modules)
    {
        if (!File.Exists(Executable))
        {
            return $"{Executable} not found";
        }

        foreach (var m in modules)
        {
            string? reason;
            lock (Cache.Value)
            {
                if (!Cache.Value.TryGetValue(m, out reason))
                {
                    reason = m == BitshuffleFilter
                        ? FilterMissingReason(Executable)
                        : TryRun($"import {m}", out _)
                            ? null
                            : $"python module '{m}' is not installed for {Executable} (CI installs python3-numpy, python3-h5py, python3-hdf5plugin)";
                    Cache.Value[m] = reason;
                }
            }

            if (reason is not null)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="executable"/> runs <see cref="BitshuffleProbe"/>, else why not and which Debian packages supply the filters.</summary>
    public static string? FilterMissingReason(string executable)
    {
        if (TryRun(BitshuffleProbe, out var error, executable: executable))
        {
            return null;
        }

        var last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
        return $"h5py under {executable} cannot write and read a bitshuffle/LZ4 dataset ({last}): install the HDF5 filter plugins, on Debian: apt install python3-hdf5plugin bitshuffle hdf5-filter-plugin";
    }

    /// <summary>Runs a script, returning stdout; throws with stderr when it fails.</summary>
    public static string Run(string script, string? workingDirectory = null)
    {
        if (!TryRun(script, out var output, workingDirectory))
        {
            throw new InvalidOperationException("python failed: " + output);
        }

        return output;
    }

    private static bool TryRun(string script, out string output, string? workingDirectory = null, string executable = Executable)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        psi.ArgumentList.Add("-");
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        output = p.ExitCode == 0 ? stdout.Result : stderr;
        return p.ExitCode == 0;
    }
}
