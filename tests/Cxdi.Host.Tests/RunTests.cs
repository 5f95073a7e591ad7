using System.Text.Json;

namespace Cxdi.Host.Tests;

public sealed class RunTests
{
    private const string Flow = """
        schema: 1
        name: demo
        input:
          use: test.gen
          with: { size: 4, beamstop: 2 }
        steps:
          - use: test.scale
            id: scale
            with: { factor: 3 }
          - use: test.box
            with: { half: 1 }
          - use: test.phaser
            id: phase
            with: { runs: 3, seed: 7 }
        output:
          directory: results
          writers: [test.json, { use: test.raw }]
        """;

    private static JsonElement Summary(string directory) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json"))).RootElement;

    [Fact]
    public async Task Run_WritesRunsResultAndSummary()
    {
        using var temp = new TempDir();
        var flow = temp.File("flows/demo.yaml", Flow);
        var r = await Harness.Run(temp.Path, "run", "flows/demo.yaml");
        Assert.Equal("", r.Error);
        Assert.Equal(0, r.ExitCode);
        var outDir = Path.Combine(temp.Path, "flows", "results");
        Assert.Contains("[phase] run 00 of 3 cycle 10/10 LLK 0.5 free LLK 0.75 support 4 (kept): run done", r.Out);
        Assert.Contains("[cxdi.guardrails] measured_fraction: 0.875", r.Out);

        var s = Summary(outDir);
        Assert.Equal("demo", s.GetProperty("workflow").GetString());
        Assert.Equal(flow, s.GetProperty("file").GetString());
        Assert.Equal("succeeded", s.GetProperty("status").GetString());
        Assert.Equal(0, s.GetProperty("exit_code").GetInt32());
        Assert.Equal(Versions.Software, s.GetProperty("software_version").GetString());
        Assert.Equal("fast / separable DFT", s.GetProperty("backend").GetString());
        Assert.Equal(0.5, s.GetProperty("prtf_cutoff").GetDouble());
        Assert.Equal(
            ["input/test.gen/succeeded", "scale/test.scale/succeeded", "test.box/test.box/succeeded", "guardrails/cxdi.guardrails/succeeded", "phase/test.phaser/succeeded", "output/test.json/succeeded", "output/test.raw/skipped"],
            s.GetProperty("steps").EnumerateArray().Select(e => $"{e.GetProperty("id").GetString()}/{e.GetProperty("plugin").GetString()}/{e.GetProperty("status").GetString()}"));
        Assert.Equal("0.3.0", s.GetProperty("steps")[4].GetProperty("version").GetString());
        Assert.Equal(["run_00.json", "run_01.json", "run_02.json", "result.json"], s.GetProperty("files").EnumerateArray().Select(e => e.GetString()));

        var runs = s.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(3, runs.Count);
        Assert.Equal(8, runs[1].GetProperty("seed").GetInt64());
        Assert.Equal("rejected", runs[1].GetProperty("state").GetString());
        Assert.Equal(1.5, runs[1].GetProperty("llk").GetDouble());
        Assert.Equal(1.75, runs[1].GetProperty("free_llk").GetDouble());
        Assert.Equal(JsonValueKind.Null, runs[1].GetProperty("chi2").ValueKind);
        Assert.Equal(4, runs[1].GetProperty("support_size").GetInt64());
        Assert.Equal("worse free LLK", runs[1].GetProperty("reason").GetString());
        Assert.Equal(["run_01.json"], runs[1].GetProperty("files").EnumerateArray().Select(e => e.GetString()));

        // The final item went through every step: the provenance records the resolved options, defaults included.
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json"))).RootElement;
        Assert.Equal("ReconstructionSet", result.GetProperty("kind").GetString());
        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["test.gen", "test.scale", "test.box", "cxdi.guardrails", "test.phaser"], steps.Select(e => e.GetProperty("plugin").GetString()));
        Assert.Equal(3, steps[1].GetProperty("options").GetProperty("factor").GetDouble());
        Assert.Equal("multiply", steps[1].GetProperty("options").GetProperty("mode").GetString());

        // Scale 3 of the ramp 1 + y + x, beamstop pixels 0 and 1 masked out: sqrt(I) of measured pixels, inverse DFT; run k scales it by (k + 1).
        var run0 = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "run_00.json"))).RootElement;
        Assert.Equal("ReconstructionSet", run0.GetProperty("kind").GetString());
        Assert.Equal([0], run0.GetProperty("runs").EnumerateArray().Select(e => e.GetInt32()));

        var resolved = File.ReadAllText(Path.Combine(outDir, "workflow.resolved.yaml"));
        Assert.Contains("seed: 7", resolved);
        Assert.Contains("run_ms: 0", resolved);
        Assert.Contains($"directory: {outDir}", resolved);
    }

    [Fact]
    public async Task Run_OutputDirectoryPrecedence_OutThenYamlThenDefault()
    {
        using var temp = new TempDir();
        temp.File("demo.yaml", Flow.Replace("  directory: results\n", ""));
        var r = await Harness.Run(temp.Path, "run", "demo.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(temp.Path, "out", "demo", "summary.json")));

        temp.File("demo.yaml", Flow);
        r = await Harness.Run(temp.Path, "run", "demo.yaml", "--out", "cli-out", "--set", "steps.phase.with.runs=1");
        Assert.Equal(0, r.ExitCode);
        Assert.Single(Summary(Path.Combine(temp.Path, "cli-out")).GetProperty("runs").EnumerateArray());
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "results")));
    }

    [Fact]
    public async Task Run_BackendSelection_ExplicitThenEnvironmentThenBestAvailable()
    {
        using var temp = new TempDir();
        temp.File("demo.yaml", Flow);
        var r = await Harness.Run(temp.Path, "run", "demo.yaml", "--backend", "test.backend.slow");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("slow / separable DFT", Summary(Path.Combine(temp.Path, "results")).GetProperty("backend").GetString());

        r = await Harness.RunRaw(temp.Path, new Dictionary<string, string> { ["CXDI_BACKEND"] = "slow" }, CancellationToken.None, "--plugins", Harness.TestPlugins, "run", "demo.yaml", "--overwrite");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("slow / separable DFT", Summary(Path.Combine(temp.Path, "results")).GetProperty("backend").GetString());

        // A known backend this machine cannot run is refused before anything runs (exit 2), with the provider's reason.
        r = await Harness.Run(temp.Path, "run", "demo.yaml", "--backend", "test.backend.gpu", "--overwrite");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: --backend test.backend.gpu: compute backend test.backend.gpu is not available here: no GPU in this machine (choose another with --backend or CXDI_BACKEND)"], r.ErrorLines);
        Assert.Equal("slow / separable DFT", Summary(Path.Combine(temp.Path, "results")).GetProperty("backend").GetString());

        r = await Harness.Run(temp.Path, "run", "demo.yaml", "--backend", "quantum", "--overwrite");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown compute backend 'quantum'", Assert.Single(r.ErrorLines));
    }

    [Theory]
    [InlineData("input", 2, "cxdi: error: step 'boom' (test.throw): mask.edf: mask shape 3x3 differs from data (give a mask of the data's shape)")]
    [InlineData("run", 1, "cxdi: error: step 'boom' (test.throw): diverged at cycle 12 (lower beta)")]
    [InlineData("bug", 1, "cxdi: error: internal error in plugin test.throw: index was out of range")]
    [InlineData("return_null", 1, "cxdi: error: internal error in plugin test.throw: returned no data")]
    public async Task Run_FailingStep_IsOneLineWithExitCodeAndSummary(string kind, int exitCode, string message)
    {
        using var temp = new TempDir();
        temp.File("f.yaml", $"schema: 1\nname: f\ninput: {{ use: test.gen }}\nsteps:\n  - use: test.throw\n    id: boom\n    with: {{ kind: {kind} }}\n  - use: test.scale\n");
        var r = await Harness.Run(temp.Path, "run", "f.yaml");
        Assert.Equal(exitCode, r.ExitCode);
        Assert.Equal([message], r.ErrorLines);
        var s = Summary(Path.Combine(temp.Path, "out", "f"));
        Assert.Equal("failed", s.GetProperty("status").GetString());
        Assert.Equal(exitCode, s.GetProperty("exit_code").GetInt32());
        Assert.Equal(["succeeded", "failed"], s.GetProperty("steps").EnumerateArray().Select(e => e.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Run_PluginBug_ShowsStackTraceOnlyWithVerbose()
    {
        using var temp = new TempDir();
        temp.File("f.yaml", "schema: 1\ninput: { use: test.gen }\nsteps:\n  - use: test.throw\n");
        var r = await Harness.Run(temp.Path, "run", "f.yaml", "--verbose");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("cxdi: error: internal error in plugin test.throw: index was out of range", r.Error);
        Assert.Contains("ThrowingPreprocessor.Apply", r.Error);
    }

    [Fact]
    public async Task Run_NanIntensities_FromStepOrReader_AreCaught()
    {
        using var temp = new TempDir();
        temp.File("f.yaml", "schema: 1\ninput: { use: test.gen }\nsteps:\n  - use: test.nan\n");
        var r = await Harness.Run(temp.Path, "run", "f.yaml");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["cxdi: error: internal error in plugin test.nan: returned NaN or infinite intensities at 1 measured pixels (they must be masked as invalid)"], r.ErrorLines);

        temp.File("f.yaml", "schema: 1\ninput: { use: test.gen, with: { nan_pixels: 3 } }\n");
        r = await Harness.Run(temp.Path, "run", "f.yaml", "--overwrite");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("internal error in plugin test.gen: returned NaN or infinite intensities at 3 measured pixels", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task Run_Cancelled_KeepsFinishedRunsAndWritesCancelledSummary()
    {
        using var temp = new TempDir();
        temp.File("c.yaml", """
            schema: 1
            name: c
            input: { use: test.gen, with: { size: 4 } }
            steps:
              - use: test.phaser
                id: phase
                with: { runs: 40, run_ms: 100 }
            output:
              writers: [test.json]
            """);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await Harness.RunRaw(temp.Path, null, cts.Token, "--plugins", Harness.TestPlugins, "run", "c.yaml");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"cancellation took {clock.Elapsed}");
        Assert.Equal(130, r.ExitCode);
        Assert.Equal(["cxdi: cancelled; files of finished runs are kept"], r.ErrorLines);
        var outDir = Path.Combine(temp.Path, "out", "c");
        var s = Summary(outDir);
        Assert.Equal("cancelled", s.GetProperty("status").GetString());
        Assert.Equal(130, s.GetProperty("exit_code").GetInt32());
        Assert.Equal("cancelled", s.GetProperty("steps").EnumerateArray().Last().GetProperty("status").GetString());
        var files = s.GetProperty("files").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.InRange(files.Count, 1, 39);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(outDir, f))));
        Assert.False(File.Exists(Path.Combine(outDir, "result.json")));

        // The finished runs are listed, each with its files: exactly the run files in the folder.
        var runs = s.GetProperty("runs").EnumerateArray().ToList();
        Assert.NotEmpty(runs);
        var runFiles = runs.SelectMany(run => run.GetProperty("files").EnumerateArray().Select(e => e.GetString()!)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Directory.EnumerateFiles(outDir, "run_*").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal), runFiles);
    }

    [Fact]
    public async Task Run_CancelledDuringPreprocessing_StopsPromptly()
    {
        using var temp = new TempDir();
        temp.File("c.yaml", "schema: 1\nname: c\ninput: { use: test.gen }\nsteps:\n  - use: test.slow\n    with: { steps: 1000, step_ms: 10 }\n");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await Harness.RunRaw(temp.Path, null, cts.Token, "--plugins", Harness.TestPlugins, "run", "c.yaml");
        clock.Stop();
        Assert.Equal(130, r.ExitCode);
        Assert.Equal("cancelled", Summary(Path.Combine(temp.Path, "out", "c")).GetProperty("status").GetString());

        // The step would take 10 s; cancelled at 0.3 s it stops within a few of its 10 ms steps. How many progress lines
        // came first depends on how long the host took to start (none when it was still loading plugins).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalSeconds:F1} s after a cancel at 0.3 s");
        var progressLines = r.Out.Split('\n').Count(l => l.StartsWith("[test.slow] ", StringComparison.Ordinal) && l.Contains('%'));
        Assert.InRange(progressLines, 0, 30);
    }

    [Fact]
    public async Task Check_RunsPreprocessingAndGuardrails_WritesNothing()
    {
        using var temp = new TempDir();
        temp.File("demo.yaml", Flow);
        var r = await Harness.Run(temp.Path, "check", "demo.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("[cxdi.guardrails] measured_fraction: 0.875", r.Out);
        Assert.Contains("[cxdi.guardrails] warnings: [\"only 87.5 % of pixels are measured\"]", r.Out);
        Assert.Contains("demo.yaml: data 4x4, 14 of 16 pixels measured; ready for phasing", r.Out);
        Assert.DoesNotContain("[phase]", r.Out);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "results")));
    }

    [Fact]
    public async Task Inspect_PrintsShapeStatisticsMaskAndSources()
    {
        using var temp = new TempDir();
        temp.File("d.raw", Harness.Raw(2, 3, i => i == 4 ? -1 : i * 2));
        var r = await Harness.Run(temp.Path, "inspect", "d.raw");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("reader:   test.raw 2.1.0 (Test text format)", r.Out);
        Assert.Contains("shape:    2x3 (6 pixels)", r.Out);
        Assert.Contains("measured: 5 (83.33 %)", r.Out);
        Assert.Contains("intensity (measured pixels): min 0  max 10  sum 22  mean 4.4", r.Out);
        Assert.Contains("mask:     invalid 1, unknown 1", r.Out);
        Assert.Contains($"source:   {Path.Combine(temp.Path, "d.raw")}", r.Out);

        r = await Harness.Run(temp.Path, "inspect", "d.raw", "--json", "--reader", "test.raw");
        Assert.Equal(0, r.ExitCode);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal([2, 3], j.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(22, j.GetProperty("intensity").GetProperty("sum").GetDouble());
        Assert.Equal(1, j.GetProperty("mask").GetProperty("invalid").GetInt64());
    }

    [Fact]
    public async Task Inspect_BadInputs_AreOneLineExit2()
    {
        using var temp = new TempDir();
        var r = await Harness.Run(temp.Path, "inspect", "missing.edf");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: file missing.edf not found"], r.ErrorLines);

        r = await Harness.Run(temp.Path, "inspect", temp.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"cxdi: error: {temp.Path} is a directory, not a file (give the path of a data file)"], r.ErrorLines);

        temp.File("t.raw", "TESTRAW 3 3\n1 2\n");
        r = await Harness.Run(temp.Path, "inspect", "t.raw");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"cxdi: error: {Path.Combine(temp.Path, "t.raw")}: header says 3x3 values but the file holds 2 (the file is truncated)"], r.ErrorLines);

        r = await Harness.Run(temp.Path, "inspect", "t.raw", "--reader", "test.rwa");
        Assert.Equal(["cxdi: error: unknown reader 'test.rwa' (did you mean 'test.raw'?) ('cxdi plugins' lists the readers)"], r.ErrorLines);
    }

    [Fact]
    public async Task Run_MissingInputFile_IsOneLineExit2()
    {
        using var temp = new TempDir();
        var file = temp.File("f.yaml", "schema: 1\ninput: { path: gone.raw }\n");
        var r = await Harness.Run(temp.Path, "run", "f.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"{file}:2:16: input file gone.raw not found (looked at {Path.Combine(temp.Path, "gone.raw")})"], r.ErrorLines);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));
    }

    [Fact]
    public async Task Version_Help_AndUsageErrors()
    {
        using var temp = new TempDir();
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"cxdi {Versions.Software} (Cxdi.Sdk {Versions.Sdk})", r.Out.Trim());

        r = await Harness.Run(temp.Path, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("run <FLOW>", r.Out);
        Assert.Contains("stats", r.Out);

        r = await Harness.Run(temp.Path, "frobnicate");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);

        r = await Harness.Run(temp.Path, "run");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
    }

    [Fact]
    public async Task CliTool_OptionsBoundStrictly_AndRun()
    {
        using var temp = new TempDir();
        var r = await Harness.Run(temp.Path, "stats", "--size", "5", "--weights", "[1, 2]", "--quiet");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("375", r.Out.Trim());

        r = await Harness.Run(temp.Path, "stats", "--size", "500");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: --size: option 'size' of test.stats-tool: size must be between 2 and 64."], r.ErrorLines);

        r = await Harness.Run(temp.Path, "stats", "--weights", "x");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: --weights x: option 'weights' of test.stats-tool item 0: expects a number, got 'x'"], r.ErrorLines);
    }

    [Fact]
    public async Task Set_WriterOptions_OnAShortFormWriter()
    {
        using var temp = new TempDir();
        temp.File("demo.yaml", Flow);
        var r = await Harness.Run(temp.Path, "run", "demo.yaml", "--set", "output.writers.test.json.with.indent=true", "--set", "steps.phase.with.runs=1");
        Assert.Equal(0, r.ExitCode);
        var text = File.ReadAllText(Path.Combine(temp.Path, "results", "result.json"));
        Assert.Contains("\n  \"kind\": \"ReconstructionSet\"", text);
    }

    [Fact]
    public async Task Run_ReaderAndWriterSharingAnId_ReadAndWriteTheSameFormat()
    {
        using var temp = new TempDir();
        temp.File("in.raw", Harness.Raw(2, 2, i => i + 1));
        temp.File("conv.yaml", "schema: 1\nname: conv\ninput: { use: test.raw, path: in.raw }\nsteps:\n  - use: test.scale\n    with: { factor: 10 }\noutput:\n  writers: [test.raw]\n");
        var r = await Harness.Run(temp.Path, "run", "conv.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("TESTRAW 2 2\n10 20 30 40\n", File.ReadAllText(Path.Combine(temp.Path, "out", "conv", "result.txt")));
    }

    [Fact]
    public async Task Run_WriterFailingOnAnIntermediateRun_FailsTheStepWithoutCrashing()
    {
        using var temp = new TempDir();
        temp.File("w.yaml", "schema: 1\nname: w\ninput: { use: test.gen }\nsteps:\n  - use: test.phaser\n    id: phase\noutput:\n  writers: [{ use: test.json, with: { fail_on: run_01 } }]\n");
        var r = await Harness.Run(temp.Path, "run", "w.yaml");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["cxdi: error: internal error in plugin test.json: disk full"], r.ErrorLines);
        var outDir = Path.Combine(temp.Path, "out", "w");
        Assert.True(File.Exists(Path.Combine(outDir, "run_00.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "run_02.json")));
        var s = Summary(outDir);
        Assert.Equal("failed", s.GetProperty("status").GetString());
        Assert.Equal(["run_00.json", "run_02.json"], s.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Run_CxdiPhaseProgress_NumbersRunsFromZeroLikeTheirFiles()
    {
        using var temp = new TempDir();
        temp.File("p.yaml", """
            schema: 1
            name: p
            input: { use: cxdi.simulate, with: { size: 32 } }
            steps:
              - use: cxdi.phase
                id: phase
                with: { runs: 2, keep: 1, operators: "ER**5 * HIO**5", threads: 1 }
            """);
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "run", "p.yaml", "--out", "o");
        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(temp.Path, "o", "run_00.cxi")));
        Assert.True(File.Exists(Path.Combine(temp.Path, "o", "run_01.cxi")));
        var lines = r.Out.Split('\n').Where(l => l.StartsWith("[phase] run ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            // "[phase] run 01 of 2 … (kept): run 01: kept": the progress index and the plugin's message agree, and name run_01.cxi
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^\[phase\] run (\d\d) of 2\b.*: run (\d\d): ");
            Assert.True(match.Success, line);
            Assert.Equal(match.Groups[1].Value, match.Groups[2].Value);
            Assert.Contains(match.Groups[1].Value, new[] { "00", "01" });
        }

        // The console thins progress lines; a start is shown, of either generation (an autocorrelation start runs two).
        Assert.Contains(lines, l => l.Contains(": generation ", StringComparison.Ordinal) && l.EndsWith(": started (support threshold 0.2)", StringComparison.Ordinal));
    }
}
