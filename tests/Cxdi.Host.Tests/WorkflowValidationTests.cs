namespace Cxdi.Host.Tests;

public sealed class WorkflowValidationTests
{
    private const string Good = """
        schema: 1
        name: good
        input:
          use: test.gen
          with: { size: 8 }
        steps:
          - use: test.scale
            id: scale
            with: { factor: 3 }
          - use: test.phaser
            id: phase
            with: { runs: 2 }
        output:
          writers: [test.json]
        """;

    [Fact]
    public async Task Validate_GoodWorkflow_PrintsTheDryRunChain()
    {
        using var temp = new TempDir();
        temp.File("good.yaml", Good);
        var r = await Harness.Run(temp.Path, "validate", "good.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Contains("input  test.gen -> detector 8x8 real", r.Out);
        Assert.Contains("step   scale (test.scale) -> detector 8x8 real", r.Out);
        Assert.Contains("step   phase (test.phaser) -> object 8x8 complex", r.Out);
        Assert.Contains($"output {Path.Combine(temp.Path, "out", "good")} with test.json", r.Out);
    }

    [Fact]
    public async Task Validate_UnknownPluginUnknownKeyAndWrongType_AllReportedWithLines()
    {
        using var temp = new TempDir();
        var file = temp.File("bad.yaml", """
            schema: 1
            name: bad
            input:
              use: test.gen
            steps:
              - use: test.scal
              - use: test.scale
                with:
                  factr: 3
              - use: test.phaser
                with: { runs: many }
            """);
        var r = await Harness.Run(temp.Path, "validate", "bad.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal(
            string.Join("\n", new[]
            {
                $"{file}:6:10: unknown plugin 'test.scal' (did you mean 'test.scale'?) ('cxdi plugins' lists the loaded ones)",
                $"{file}:9:7: unknown option 'factr' for test.scale (did you mean 'factor'?) (valid: factor, mode, tags, crop_to)",
                $"{file}:11:19: option 'runs' of test.phaser expects an integer, got 'many'",
            }),
            string.Join("\n", r.ErrorLines));
    }

    [Fact]
    public async Task Validate_StructureProblems_AreAllReported()
    {
        using var temp = new TempDir();
        var file = temp.File("s.yaml", """
            schema: 2
            colour: red
            input:
              use: test.scale
              pth: x
            steps:
              - use: test.json
              - id: nothing
            output:
              writers: [test.gen]
            """);
        var r = await Harness.Run(temp.Path, "validate", "s.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            string.Join("\n", new[]
            {
                $"{file}:2:1: unknown key 'colour' in the workflow (valid: schema, name, description, input, steps, output)",
                $"{file}:1:9: unsupported schema '2': this cxdi reads schema 1",
                $"{file}:5:3: unknown key 'pth' in input (did you mean 'path'?) (valid: use, path, with)",
                $"{file}:8:5: step 1 needs 'use: <plugin id>'",
                $"{file}:4:8: test.scale is a preprocessor, but the input needs a reader",
                $"{file}:7:10: test.json is a writer, but step 'test.json' needs a preprocessor or support-finder or phaser or denoiser or analysis",
                $"{file}:10:13: test.gen is a reader, but output.writers needs a writer",
            }),
            string.Join("\n", r.ErrorLines));
    }

    [Fact]
    public async Task Validate_RangeAndCrossFieldRules_MappedToTheKeyLine()
    {
        using var temp = new TempDir();
        var file = temp.File("r.yaml", """
            schema: 1
            input: { use: test.gen, with: { size: 1 } }
            steps:
              - use: test.scale
                with:
                  factor: 5000
                  crop_to: 3
            """);
        var r = await Harness.Run(temp.Path, "validate", "r.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            string.Join("\n", new[]
            {
                $"{file}:2:33: option 'size' of test.gen: size must be between 2 and 4096.",
                $"{file}:6:7: option 'factor' of test.scale: factor must be between 0.001 and 1000.",
            }),
            string.Join("\n", r.ErrorLines));

        temp.File("r.yaml", """
            schema: 1
            input: { use: test.gen, with: { size: 8 } }
            steps:
              - use: test.scale
                with:
                  crop_to: 3
            """);
        r = await Harness.Run(temp.Path, "validate", "r.yaml");
        Assert.Equal([$"{file}:6:7: option 'crop_to' of test.scale: must be even"], r.ErrorLines);
    }

    [Fact]
    public async Task Validate_ShapeMismatchInDryRun_ReportedAtTheStep()
    {
        using var temp = new TempDir();
        var file = temp.File("d.yaml", """
            schema: 1
            input: { use: test.gen, with: { size: 8 } }
            steps:
              - use: test.scale
                with: { crop_to: 16 }
              - use: test.phaser
              - use: test.scale
            """);
        var r = await Harness.Run(temp.Path, "validate", "d.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"{file}:4:10: test.scale: cannot crop 8x8 to 16x16 (lower crop_to)"], r.ErrorLines);

        temp.File("d.yaml", """
            schema: 1
            input: { use: test.gen, with: { size: 8 } }
            steps:
              - use: test.phaser
              - use: test.scale
            """);
        r = await Harness.Run(temp.Path, "validate", "d.yaml");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"{file}:5:10: test.scale: this step needs detector-space intensities but receives object 8x8 complex", line);
    }

    [Fact]
    public async Task Validate_MalformedYaml_ReportsLineAndColumn()
    {
        using var temp = new TempDir();
        var file = temp.File("m.yaml", "schema: 1\ninput:\n  use: test.gen\n   with: {size: 4}\n");
        var r = await Harness.Run(temp.Path, "validate", "m.yaml");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"{file}:4:", line);
        Assert.Contains("malformed YAML", line);
    }

    [Fact]
    public async Task Validate_EmptyFile_IsOneLine()
    {
        using var temp = new TempDir();
        var file = temp.File("e.yaml", "");
        var r = await Harness.Run(temp.Path, "validate", "e.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"{file}:1:1: the workflow file is empty (it needs at least 'schema: 1' and an 'input:' block)"], r.ErrorLines);
    }

    [Fact]
    public async Task Validate_MissingSchemaAndInput_AreReported()
    {
        using var temp = new TempDir();
        var file = temp.File("n.yaml", "name: x\n");
        var r = await Harness.Run(temp.Path, "validate", "n.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            string.Join("\n", new[]
            {
                $"{file}:1:1: missing 'schema: 1' (the workflow format version)",
                $"{file}:1:1: missing 'input:' block (give 'use: <reader id>' and/or 'path: <file>')",
            }),
            string.Join("\n", r.ErrorLines));
    }

    [Fact]
    public async Task Validate_MissingWorkflowFileOrDirectory_IsOneLineExit2()
    {
        using var temp = new TempDir();
        var r = await Harness.Run(temp.Path, "validate", "nope.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: workflow file nope.yaml not found"], r.ErrorLines);

        r = await Harness.Run(temp.Path, "run", temp.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"cxdi: error: {temp.Path} is a directory, not a workflow file (give the path of a .yaml file)"], r.ErrorLines);
    }

    [Fact]
    public async Task Validate_InputFileMissingOrDirectory_IsReportedAtThePath()
    {
        using var temp = new TempDir();
        var file = temp.File("i.yaml", "schema: 1\ninput:\n  path: data.raw\n");
        var r = await Harness.Run(temp.Path, "validate", "i.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"{file}:3:9: input file data.raw not found (looked at {Path.Combine(temp.Path, "data.raw")})"], r.ErrorLines);

        Directory.CreateDirectory(Path.Combine(temp.Path, "data.raw"));
        r = await Harness.Run(temp.Path, "validate", "i.yaml");
        Assert.Equal([$"{file}:3:9: input data.raw is a directory, not a file"], r.ErrorLines);
    }

    [Fact]
    public async Task Validate_ReaderDetectedByContent_AndUnknownContentReported()
    {
        using var temp = new TempDir();
        temp.File("sub/data.raw", Harness.Raw(4, 6, i => i));
        temp.File("sub/i.yaml", "schema: 1\ninput:\n  path: data.raw\n");
        var r = await Harness.Run(temp.Path, "validate", "sub/i.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"input  test.raw {Path.Combine(temp.Path, "sub", "data.raw")} -> detector 4x6 real", r.Out);

        temp.File("sub/data.raw", "garbage");
        r = await Harness.Run(temp.Path, "validate", "sub/i.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no reader recognises data.raw (loaded readers: test.gen, test.raw)", Assert.Single(r.ErrorLines));

        temp.File("sub/data.raw", "TESTRAW 4 6\n1 2 3\n");
        r = await Harness.Run(temp.Path, "validate", "sub/i.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("header says 4x6 values but the file holds 3 (the file is truncated)", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public async Task Set_OverridesByStepIdPluginIdAndIndex()
    {
        using var temp = new TempDir();
        temp.File("good.yaml", Good);
        var r = await Harness.Run(temp.Path, "validate", "good.yaml", "--set", "steps.scale.with.crop_to=4", "--set", "input.with.size=12");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("step   scale (test.scale) -> detector 4x4 real", r.Out);
        Assert.Contains("input  test.gen -> detector 12x12 real", r.Out);

        r = await Harness.Run(temp.Path, "validate", "good.yaml", "--set", "steps.test.scale.with.crop_to=6", "--set", "output.directory=elsewhere");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("-> detector 6x6 real", r.Out);
        Assert.Contains($"output {Path.Combine(temp.Path, "elsewhere")} with test.json", r.Out);

        r = await Harness.Run(temp.Path, "validate", "good.yaml", "--set", "steps.0.with.crop_to=2");
        Assert.Contains("-> detector 2x2 real", r.Out);
    }

    [Fact]
    public async Task Set_ThatMatchesNothingOrBindsBadly_IsAnError()
    {
        using var temp = new TempDir();
        temp.File("good.yaml", Good);
        var r = await Harness.Run(temp.Path, "validate", "good.yaml", "--set", "steps.nope.with.runs=3", "--set", "inptu.path=x", "--set", "steps.phase.with.runs=lots", "--set", "name");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
            string.Join("\n", new[]
            {
                "--set steps.nope.with.runs=3: 'steps.nope' matches nothing: no entry with id or plugin 'nope'",
                "--set inptu.path=x: 'inptu' matches nothing (did you mean 'input'?) (top-level keys: schema, name, description, input, steps, output)",
                "--set name: expected --set path.to.key=value, e.g. --set steps.phase.with.runs=3",
                "--set steps.phase.with.runs=lots: option 'runs' of test.phaser expects an integer, got 'lots'",
            }),
            string.Join("\n", r.ErrorLines));
    }

    [Fact]
    public async Task Set_InputPath_IsRelativeToTheCurrentDirectory()
    {
        using var temp = new TempDir();
        temp.File("flows/f.yaml", "schema: 1\ninput:\n  path: missing.raw\n");
        temp.File("here.raw", Harness.Raw(2, 3, i => i));
        temp.File("flows/here.raw", Harness.Raw(5, 5, i => i));
        var r = await Harness.Run(temp.Path, "validate", "flows/f.yaml", "--set", "input.path=here.raw");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("-> detector 2x3 real", r.Out);
    }

    [Theory]
    [InlineData("input: { use: test.gen\nsteps: []\n", '{')]
    [InlineData("input: [ test.gen\nsteps: []\n", '[')]
    public async Task Validate_UnclosedFlowBraceOrBracket_IsLineColumnAndExit2(string rest, char bracket)
    {
        using var temp = new TempDir();
        var file = temp.File("u.yaml", "schema: 1\n" + rest);
        var r = await Harness.Run(temp.Path, "validate", "u.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal([$"{file}:2:8: malformed YAML: '{bracket}' is never closed (add the matching '{(bracket == '{' ? '}' : ']')}')"], r.ErrorLines);

        r = await Harness.Run(temp.Path, "run", "u.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith($"{file}:2:8: malformed YAML:", Assert.Single(r.ErrorLines));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));
    }

    [Theory]
    [InlineData("schema: 1\nname: t\ninput:\n\tuse: test.gen\n")]
    [InlineData("schema: 1\ninput:\n  use: test.gen\n\twith: { size: 8 }\n")]
    public async Task Validate_TabIndentation_IsReportedAtTheTab(string text)
    {
        using var temp = new TempDir();
        var file = temp.File("t.yaml", text);
        var r = await Harness.Run(temp.Path, "validate", "t.yaml");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"{file}:4:1: malformed YAML:", line);
        Assert.Contains("tab", line);
    }

    [Fact]
    public async Task Validate_TinyArrayBeforeThePhaser_IsRefusedInTheDryRun()
    {
        using var temp = new TempDir();
        temp.File("one.raw", Harness.Raw(1, 1, _ => 5));
        var file = temp.File("p.yaml", "schema: 1\ninput: { path: one.raw }\nsteps:\n  - use: test.phaser\noutput:\n  writers: [test.json]\n");
        var r = await Harness.Run(temp.Path, "validate", "p.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal([$"{file}:4:10: test.phaser: a 1x1 array is too small to phase: phase retrieval needs a 2D or 3D array of at least 2 pixels along every axis (check the input, and any crop or bin step before the phaser)"], r.ErrorLines);

        r = await Harness.Run(temp.Path, "run", "p.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));
    }

    [Fact]
    public async Task Validate_FrameStackBeforeCxdiPhase_IsRefusedWithTheFramesSumStepAndReaderOptions()
    {
        using var temp = new TempDir();
        WriteNpy(Path.Combine(temp.Path, "stack.npy"), 3, 64, 64);
        var file = temp.File("s.yaml", "schema: 1\ninput: { path: stack.npy }\nsteps:\n  - use: cxdi.phase\n");
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", "s.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"{file}:4:10: cxdi.phase: a 3x64x64 array has only 3 frames along z: that is a stack of 2D frames, not a 3D pattern to phase", line);
        Assert.Contains("add a 'use: cxdi.frames.sum' step before the phaser", line);
        Assert.Contains("'sum_frames: true' in the numpy.npy input options", line);

        // the suggested fixes pass the dry run
        temp.File("s.yaml", "schema: 1\ninput: { path: stack.npy, with: { sum_frames: true } }\nsteps:\n  - use: cxdi.phase\n");
        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", "s.yaml");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("step   cxdi.phase (cxdi.phase) -> object 64x64 complex", r.Out);
        temp.File("s.yaml", "schema: 1\ninput: { path: stack.npy }\nsteps:\n  - use: cxdi.frames.sum\n  - use: cxdi.phase\n");
        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", Harness.BuiltInPlugins, "validate", "s.yaml");
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public async Task ValidateAndRun_UnknownBackend_RefusedBeforeRunningNamingTheAvailableOnes()
    {
        using var temp = new TempDir();
        temp.File("good.yaml", Good);
        const string Expected = "cxdi: error: --backend cuda: unknown compute backend 'cuda' (available: test.backend.slow, test.backend.fast, test.backend.gpu)";
        var r = await Harness.Run(temp.Path, "validate", "good.yaml", "--backend", "cuda");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal([Expected], r.ErrorLines);

        r = await Harness.Run(temp.Path, "run", "good.yaml", "--backend", "cuda");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal([Expected], r.ErrorLines);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));

        r = await Harness.RunRaw(temp.Path, new Dictionary<string, string> { ["CXDI_BACKEND"] = "cuda" }, CancellationToken.None, "--plugins", Harness.TestPlugins, "run", "good.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("cxdi: error: CXDI_BACKEND=cuda: unknown compute backend 'cuda'", Assert.Single(r.ErrorLines));

        r = await Harness.Run(temp.Path, "validate", "good.yaml", "--backend", "fast");
        Assert.Equal(0, r.ExitCode);
    }

    /// <summary>A little-endian float32 .npy file of ones.</summary>
    private static void WriteNpy(string path, params int[] shape)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        header = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        writer.Write((ushort)header.Length);
        writer.Write(System.Text.Encoding.ASCII.GetBytes(header));
        for (var i = 0; i < shape.Aggregate(1, (a, b) => a * b); i++)
        {
            writer.Write(1f);
        }
    }
}
