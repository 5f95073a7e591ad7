using System.Text.Json;
using Cxdi.Host.Execution;
using Cxdi.Sdk.IO;

namespace Cxdi.Host.Tests;

/// <summary>Reusing an output folder: earlier results refused unless --overwrite, stale temporary files cleaned, summaries without NaN.</summary>
public sealed class OutputFolderTests
{
    private const string Flow = """
        schema: 1
        name: f
        input: { use: test.gen, with: { size: 4 } }
        steps:
          - use: test.phaser
            id: phase
            with: { runs: 6, seed: 7 }
        output:
          directory: results
          writers: [test.json]
        """;

    private static JsonElement Summary(string directory) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json"))).RootElement;

    private static string[] Names(string directory) =>
        [.. Directory.EnumerateFiles(directory).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Run_FolderWithEarlierResults_RefusedUnlessOverwrite_WhichRemovesOnlyWorkbenchFiles()
    {
        using var temp = new TempDir();
        temp.File("f.yaml", Flow);
        var results = Path.Combine(temp.Path, "results");
        var r = await Harness.Run(temp.Path, "run", "f.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("run_05.json", Names(results));
        temp.File("results/notes.txt", "mine");
        temp.File("results/run_log.md", "mine too: not a run_NN name");
        var before = Names(results).ToDictionary(n => n, n => File.GetLastWriteTimeUtc(Path.Combine(results, n)));

        r = await Harness.Run(temp.Path, "run", "f.yaml", "--set", "steps.phase.with.runs=2");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.Contains(results, line, StringComparison.Ordinal);
        Assert.Contains("--overwrite", line, StringComparison.Ordinal);
        Assert.Equal(before, Names(results).ToDictionary(n => n, n => File.GetLastWriteTimeUtc(Path.Combine(results, n))));

        r = await Harness.Run(temp.Path, "run", "f.yaml", "--set", "steps.phase.with.runs=2", "--overwrite");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["notes.txt", "result.json", "run_00.json", "run_01.json", "run_log.md", "summary.json", "workflow.resolved.yaml"], Names(results));
        var files = Summary(results).GetProperty("files").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["result.json", "run_00.json", "run_01.json"], files);
    }

    [Fact]
    public async Task Run_StaleTemporaryFiles_RemovedAtTheNextRun_OthersKept()
    {
        using var temp = new TempDir();
        temp.File("f.yaml", Flow);
        // An interrupted run left temporary files of a dead process; a live process (pid 1 on Linux) and a user's file stay.
        var dead = $".run_03.json.{int.MaxValue}.{Guid.NewGuid():N}.tmp";
        var alive = $".run_04.json.1.{Guid.NewGuid():N}.tmp";
        temp.File($"results/{dead}", "partial");
        temp.File($"results/{alive}", "being written");
        temp.File("results/.cache.tmp", "not ours");
        temp.File("results/sub/.run_00.json.999999999.0123456789abcdef0123456789abcdef.tmp", "not in the folder itself");

        var r = await Harness.Run(temp.Path, "run", "f.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("removed 1 temporary file(s) left by an interrupted run", r.Out, StringComparison.Ordinal);
        var names = Names(Path.Combine(temp.Path, "results"));
        Assert.DoesNotContain(dead, names);
        Assert.Contains(".cache.tmp", names);
        Assert.True(File.Exists(Path.Combine(temp.Path, "results", "sub", ".run_00.json.999999999.0123456789abcdef0123456789abcdef.tmp")));
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains(alive, names);
        }
    }

    [Fact]
    public void AtomicFileName_IsRecognised_WithItsProcessId()
    {
        Assert.True(AtomicFile.IsTemporaryName(".run_00.cxi.4242.0123456789abcdef0123456789abcdef.tmp", out var pid));
        Assert.Equal(4242, pid);
        Assert.False(AtomicFile.IsTemporaryName("run_00.cxi.4242.0123456789abcdef0123456789abcdef.tmp", out _));
        Assert.False(AtomicFile.IsTemporaryName(".run_00.cxi.4242.tmp", out _));
        Assert.False(AtomicFile.IsTemporaryName(".cache.tmp", out _));
    }

    [Fact]
    public void Summary_NonFiniteNumbers_WrittenAsNull_NeverAsStrings()
    {
        var summary = new RunSummary { Workflow = "w", File = "w.yaml", SoftwareVersion = "0", SdkVersion = "0", Command = "cxdi", Started = "now" };
        summary.Findings = new Dictionary<string, object>
        {
            ["cxdi.phase"] = new Dictionary<string, object> { ["prtf_cutoff"] = double.NaN, ["r"] = new[] { 1.0, double.PositiveInfinity }, ["f"] = float.NegativeInfinity },
        };
        var json = summary.ToJson();
        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", json, StringComparison.Ordinal);
        var phase = JsonDocument.Parse(json).RootElement.GetProperty("findings").GetProperty("cxdi.phase");
        Assert.Equal(JsonValueKind.Null, phase.GetProperty("prtf_cutoff").ValueKind);
        Assert.Equal(JsonValueKind.Null, phase.GetProperty("r")[1].ValueKind);
        Assert.Equal(JsonValueKind.Null, phase.GetProperty("f").ValueKind);
    }
}
