using System.Diagnostics;

namespace Cxdi.Plugins.Formats.Tests;

/// <summary>A fact skipped (with the reason) when /usr/bin/python3 or one of the named Python modules is missing.</summary>
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

    private static readonly Lazy<Dictionary<string, bool>> Cache = new(() => new Dictionary<string, bool>(StringComparer.Ordinal));

    /// <summary>Null when python and every module import, else why not.</summary>
    public static string? MissingReason(params string[] modules)
    {
        if (!File.Exists(Executable))
        {
            return $"{Executable} not found";
        }

        foreach (var m in modules)
        {
            bool ok;
            lock (Cache.Value)
            {
                if (!Cache.Value.TryGetValue(m, out ok))
                {
                    ok = TryRun($"import {m}", out _);
                    Cache.Value[m] = ok;
                }
            }

            if (!ok)
            {
                return $"python module '{m}' is not installed for {Executable} (CI installs python3-numpy, python3-h5py, python3-hdf5plugin)";
            }
        }

        return null;
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

    private static bool TryRun(string script, out string output, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(Executable)
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
