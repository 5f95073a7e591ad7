using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Cxdi.Host.Tests;

/// <summary>A <see cref="TheoryAttribute"/> skipped, with the reason, where POSIX signals cannot be sent to a child process.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "sends POSIX signals (INT, TERM, HUP, KILL) to a child cxdi process with kill(2): Linux only";
        }
        else if (!File.Exists(SignalTests.HostDll))
        {
            Skip = $"the built host {SignalTests.HostDll} is missing: build host/Cxdi.Host in the tests' configuration first";
        }
    }
}

/// <summary>
/// Signals sent to a real <c>cxdi run</c> process (a 10-run simulated workflow, each run a few tenths of a second) once its
/// first run file is written: INT, TERM and HUP cancel cleanly; KILL leaves temporary files the next run removes.
/// </summary>
public sealed partial class SignalTests
{
    private const string Flow = """
        schema: 1
        name: sig
        input:
          use: cxdi.simulate
          with: { dims: 2, size: 128, oversampling: 4, photons: 1e9, seed: 1 }
        steps:
          - use: cxdi.phase
            id: phase
            with: { operators: "ER**50 * (Sup * ER**5 * HIO**30)**10 * HIO**100", runs: 10, keep: 3, seed: 5, parallel_runs: 1 }
        output:
          directory: out
          writers: [cxdi.cxi]
        """;

    /// <summary>The built host, beside the built-in plugins it loads.</summary>
    public static string HostDll => Path.Combine(Path.GetDirectoryName(Harness.BuiltInPlugins)!, "cxdi.dll");

    [LinuxTheory]
    [InlineData("INT", 2)]
    [InlineData("TERM", 15)]
    [InlineData("HUP", 1)]
    public async Task Signal_AfterTheFirstRun_CancelsKeepsFinishedRunsAndWritesSummary(string name, int signal)
    {
        using var temp = new TempDir();
        temp.File("sig.yaml", Flow);
        var outDir = Path.Combine(temp.Path, "out");
        var (code, stderr) = await RunAndSignal(temp.Path, outDir, signal, "run", "sig.yaml");

        Assert.True(code == 130, $"SIG{name}: exit code {code}, stderr: {stderr}");
        if (signal != 1)
        {
            // After SIGHUP the terminal is gone and cxdi writes nothing more to it.
            Assert.Matches($"cxdi: SIG{name}( \\(Ctrl\\+C\\))? received: cancelling", stderr);
            Assert.Contains("cxdi: cancelled; files of finished runs are kept", stderr, StringComparison.Ordinal);
        }

        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;
        Assert.Equal("cancelled", summary.GetProperty("status").GetString());
        Assert.Equal(130, summary.GetProperty("exit_code").GetInt32());
        var runs = summary.GetProperty("runs").EnumerateArray().ToList();
        Assert.InRange(runs.Count, 1, 9);
        Assert.All(runs, r => Assert.Equal("finished", r.GetProperty("state").GetString()));
        var listed = runs.SelectMany(r => r.GetProperty("files").EnumerateArray().Select(f => f.GetString()!)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(runs.Count, listed.Count);
        Assert.Equal(Directory.EnumerateFiles(outDir, "run_*").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal), listed);
        Assert.False(File.Exists(Path.Combine(outDir, "result.cxi")));
        Assert.Empty(Directory.EnumerateFiles(outDir, "*.tmp"));
    }

    [LinuxTheory]
    [InlineData("KILL", 9)]
    public async Task Kill_LeavesTemporaryFiles_TheNextRunWithOverwriteRemovesThem(string name, int signal)
    {
        using var temp = new TempDir();
        temp.File("sig.yaml", Flow);
        var outDir = Path.Combine(temp.Path, "out");
        var (code, stderr) = await RunAndSignal(temp.Path, outDir, signal, "run", "sig.yaml");
        Assert.True(code == 128 + signal, $"SIG{name}: exit code {code}, stderr: {stderr}");
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));

        // What a write cut short by kill -9 leaves (whether or not this kill caught one): a hidden temp named by the dead process.
        var stale = Path.Combine(outDir, $".run_09.cxi.{LastChildPid}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(stale, "partial");
        Assert.NotEmpty(Directory.EnumerateFiles(outDir, "*.tmp"));

        var refused = await Cxdi(temp.Path, "run", "sig.yaml", "--set", "steps.phase.with.runs=2", "--set", "steps.phase.with.keep=1");
        Assert.Equal(2, refused.Code);
        Assert.Contains("--overwrite", refused.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(stale));

        var rerun = await Cxdi(temp.Path, "run", "sig.yaml", "--set", "steps.phase.with.runs=2", "--set", "steps.phase.with.keep=1", "--overwrite");
        Assert.True(rerun.Code == 0, rerun.Stderr);
        Assert.Empty(Directory.EnumerateFiles(outDir, "*.tmp"));
        Assert.Equal(["result.cxi", "run_00.cxi", "run_01.cxi", "summary.json", "workflow.resolved.yaml"], Directory.EnumerateFiles(outDir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));

        // The finished summary has numbers or null, never "NaN", and says what the PRTF means (the cxdi.phase prtf_notes).
        var text = await File.ReadAllTextAsync(Path.Combine(outDir, "summary.json"));
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        var phase = JsonDocument.Parse(text).RootElement.GetProperty("findings").GetProperty("cxdi.phase");
        Assert.Equal(JsonValueKind.Array, phase.GetProperty("prtf_notes").ValueKind);
    }

    private int LastChildPid { get; set; }

    private static ProcessStartInfo Start(string directory, string[] args)
    {
        var start = new ProcessStartInfo(DotnetCli.Executable ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment.Remove("CXDI_PLUGIN_PATH");
        start.Environment["CXDI_BACKEND"] = "cxdi.cpu";
        return start;
    }

    private async Task<(int Code, string Stderr)> RunAndSignal(string directory, string outDir, int signal, params string[] args)
    {
        using var process = Process.Start(Start(directory, args))!;
        LastChildPid = process.Id;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!Directory.Exists(outDir) || !Directory.EnumerateFiles(outDir, "run_*.cxi").Any())
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                process.Kill();
                Assert.Fail($"no run file after {clock.Elapsed.TotalSeconds:F0} s; stdout: {await stdout}; stderr: {await stderr}");
            }

            await Task.Delay(10);
        }

        Assert.Equal(0, Kill(process.Id, signal));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }

    private static async Task<(int Code, string Stderr)> Cxdi(string directory, params string[] args)
    {
        using var process = Process.Start(Start(directory, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
