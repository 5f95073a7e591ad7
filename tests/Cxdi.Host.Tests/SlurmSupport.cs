using System.Diagnostics;
using System.Text;
using Cxdi.Host.Cli;

namespace Cxdi.Host.Tests;

/// <summary>Skips a test with the reason when no SLURM cluster answers here (no sbatch on PATH, or sinfo fails).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>What the SLURM tests need: whether a cluster answers, the cxdi the jobs run, in-process cxdi with the built-in plugins and the real PATH.</summary>
public static class SlurmCluster
{
    private static readonly Lazy<string?> Reason = new(Probe);

    /// <summary>Why SLURM tests cannot run here, or null when a cluster answers.</summary>
    public static string? Unavailable => Reason.Value;

    /// <summary>The PATH of the test process.</summary>
    public static string ProcessPath => Environment.GetEnvironmentVariable("PATH") ?? "";

    /// <summary>The cxdi apphost of the host build, beside its built-in plugins: what the jobs run.</summary>
    public static string Executable => Path.Combine(Path.GetDirectoryName(Harness.BuiltInPlugins)!, "cxdi");

    /// <summary>Runs cxdi in-process with the built-in plugins and <paramref name="path"/> as PATH.</summary>
    public static async Task<CliResult> Cxdi(string currentDirectory, string? path, params string[] args)
    {
        var stdout = new StringWriter(new StringBuilder());
        var stderr = new StringWriter(new StringBuilder());
        var variables = new Dictionary<string, string>();
        if (path is not null)
        {
            variables["PATH"] = path;
        }

        var environment = new CliEnvironment(Harness.BuiltInPlugins, currentDirectory, variables);
        var code = await Cli.Cli.RunAsync(args, TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), environment, CancellationToken.None);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Polls <c>cxdi status</c> until nothing is pending or running (exit code other than 3).</summary>
    public static async Task<CliResult> WaitForStatus(string directory, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await Cxdi(directory, ProcessPath, "status", directory);
            if (status.ExitCode != SubmitCommand.InProgressExitCode || clock.Elapsed > timeout)
            {
                return status;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>Runs a SLURM tool (scancel, squeue) with arguments, no shell; returns its exit code and output.</summary>
    public static (int Code, string Out) Tool(string name, params string[] args)
    {
        var info = new ProcessStartInfo(name) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    private static string? Probe()
    {
        var client = new SlurmClient(ProcessPath);
        if (client.Which("sbatch") is null)
        {
            return "SLURM tests skipped: sbatch is not on PATH (start ../shared/tools/slurm/start-single-node-slurm.sh as root)";
        }

        if (client.Which("sinfo") is not { } sinfo)
        {
            return "SLURM tests skipped: sinfo is not on PATH";
        }

        try
        {
            var info = new ProcessStartInfo(sinfo) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-h");
            using var p = Process.Start(info)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(20_000) || p.ExitCode != 0)
            {
                return "SLURM tests skipped: no SLURM cluster answers (sinfo failed)";
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"SLURM tests skipped: sinfo cannot run ({e.Message})";
        }

        if (!File.Exists(Executable))
        {
            return $"SLURM tests skipped: the host build's cxdi is missing ({Executable})";
        }

        return null;
    }
}
