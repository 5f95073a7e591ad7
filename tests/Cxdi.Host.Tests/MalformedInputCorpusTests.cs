using System.Text.RegularExpressions;

namespace Cxdi.Host.Tests;

/// <summary>
/// The host's malformed-input corpus: workflows, command lines and plugin folders that must each fail with the documented exit
/// code, a one-line message (or one <c>file:line:col</c> line per validation problem) naming what is wrong, no stack trace and
/// no partial output. The reader's malformed files live in <c>Cxdi.Conformance/Readers/MalformedCorpus</c>.
/// </summary>
public sealed class MalformedInputCorpusTests
{
    /// <summary>The workflow every YAML case starts from, line by line (line numbers matter to the expected messages).</summary>
    private static readonly string[] GoodLines =
    [
        "schema: 1",                 // 1
        "name: w",                   // 2
        "input:",                    // 3
        "  use: test.gen",           // 4
        "  with: { size: 8 }",       // 5
        "steps:",                    // 6
        "  - use: test.scale",       // 7
        "    id: scale",             // 8
        "    with: { factor: 3 }",   // 9
        "  - use: test.phaser",      // 10
        "    id: phase",             // 11
        "    with: { runs: 2 }",     // 12
        "output:",                   // 13
        "  writers: [test.json]",    // 14
    ];

    private static readonly string Good = string.Join('\n', GoodLines) + "\n";

    private static readonly Dictionary<string, Case> Corpus = Build().ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>How stderr must look.</summary>
    public enum Report
    {
        /// <summary>Exactly one line, <c>cxdi: error: …</c>.</summary>
        OneLine,

        /// <summary>One or more validation problems, each <c>file:line:col: …</c> (or <c>--set key=value: …</c>, <c>--out DIR: …</c>).</summary>
        Problems,

        /// <summary>One or more lines, one per bad option of a CLI tool, each <c>cxdi: error: …</c>.</summary>
        ErrorLines,
    }

    public static TheoryData<string> Names => new(Corpus.Keys);

    [Fact]
    public void Corpus_HasAtLeast125Cases_SpreadOverWorkflowsCommandLinesAndPluginFolders()
    {
        var kinds = Corpus.Keys.GroupBy(k => k[..k.IndexOf('/', StringComparison.Ordinal)]).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(Corpus.Count >= 125, $"{Corpus.Count} cases");
        Assert.True(kinds["yaml"] >= 60, $"{kinds["yaml"]} workflow cases");
        Assert.True(kinds["cli"] >= 40, $"{kinds["cli"]} command-line cases");
        Assert.True(kinds["plugins"] >= 20, $"{kinds["plugins"]} plugin-folder cases");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task MalformedInput_FailsWithItsExitCode_OneLineNamingTheCulprit_AndNoPartialOutput(string name)
    {
        var c = Corpus[name];
        using var temp = new TempDir();
        var call = c.Arrange(temp);
        var before = Snapshot(temp.Path);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var r = await Harness.RunRaw(temp.Path, call.Variables, timeout.Token, call.Args);
        var shown = $"{name}: exit {r.ExitCode}\nstderr:\n{r.Error}\nstdout:\n{r.Out}";

        Assert.False(timeout.IsCancellationRequested, "timed out: " + shown);
        Assert.True(c.ExitCode == r.ExitCode, shown);
        Assert.False(Regex.IsMatch(r.Error, @"^\s+at ", RegexOptions.Multiline), "stack trace: " + shown);
        Assert.DoesNotContain("internal error", r.Error, StringComparison.Ordinal);
        Assert.True(r.Out.Length == 0, "stdout: " + shown);

        var lines = r.ErrorLines;
        Assert.True(lines.Length > c.Warnings, shown);
        Assert.All(lines[..c.Warnings], l => Assert.StartsWith("cxdi: warning: ", l, StringComparison.Ordinal));
        var errors = lines[c.Warnings..];
        var file = Path.Combine(temp.Path, "w.yaml");
        if (c.Report != Report.Problems)
        {
            Assert.True(errors.Length == 1 || c.Report == Report.ErrorLines, "not one line: " + shown);
            Assert.All(errors, l => Assert.StartsWith("cxdi: error: ", l, StringComparison.Ordinal));
        }
        else
        {
            var located = new Regex($@"^({Regex.Escape(file)}:\d+:\d+|--(set|out) [^:]+): \S");
            Assert.All(errors, l => Assert.True(located.IsMatch(l), $"no file:line:col in '{l}': {shown}"));
        }

        foreach (var expected in c.Expect)
        {
            var text = expected.Replace("{file}", file, StringComparison.Ordinal).Replace("{dir}", temp.Path, StringComparison.Ordinal);
            Assert.True(r.Error.Contains(text, StringComparison.Ordinal), $"'{text}' missing: {shown}");
        }

        Assert.Equal(before, Snapshot(temp.Path));
    }

    /// <summary>Every file and folder under <paramref name="root"/> with its length: what a failing command must leave unchanged.</summary>
    private static string Snapshot(string root) => string.Join('\n', Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Select(p => File.Exists(p) ? $"{Path.GetRelativePath(root, p)} {new FileInfo(p).Length}" : Path.GetRelativePath(root, p) + "/")
        .Order(StringComparer.Ordinal));

    private static IEnumerable<Case> Build() => Workflows().Concat(CommandLines()).Concat(PluginFolders());

    // ---------------------------------------------------------------- workflows

    private static IEnumerable<Case> Workflows()
    {
        // One option of the good workflow given a bad value: (name, line, old text, new text, expected message).
        (string Name, int Line, string Old, string New, string Says)[] values =
        [
            ("size-string", 5, "size: 8", "size: eight", "option 'size' of test.gen expects an integer, got 'eight'"),
            ("size-fraction", 5, "size: 8", "size: 8.5", "option 'size' of test.gen expects an integer, got '8.5'"),
            ("size-list", 5, "size: 8", "size: [8, 8]", "option 'size' of test.gen expects integer, got a list"),
            ("size-mapping", 5, "size: 8", "size: { x: 8 }", "option 'size' of test.gen expects integer, got a mapping"),
            ("size-negative", 5, "size: 8", "size: -8", "size must be between 2 and 4096"),
            ("size-zero", 5, "size: 8", "size: 0", "size must be between 2 and 4096"),
            ("size-too-large", 5, "size: 8", "size: 5000", "size must be between 2 and 4096"),
            ("size-huge-number", 5, "size: 8", "size: 99999999999999999999999", "option 'size' of test.gen expects an integer, got '99999999999999999999999'"),
            ("size-bool", 5, "size: 8", "size: true", "option 'size' of test.gen expects an integer, got 'true'"),
            ("size-nan", 5, "size: 8", "size: .nan", "option 'size' of test.gen expects an integer, got '.nan'"),
            ("size-empty-string", 5, "size: 8", "size: ''", "option 'size' of test.gen expects an integer, got ''"),
            ("beamstop-string", 5, "size: 8", "size: 8, beamstop: most", "option 'beamstop' of test.gen expects an integer, got 'most'"),
            ("factor-string", 9, "factor: 3", "factor: triple", "option 'factor' of test.scale expects a number, got 'triple'"),
            ("factor-nan", 9, "factor: 3", "factor: .nan", "option 'factor' of test.scale expects a number, got '.nan'"),
            ("factor-infinite", 9, "factor: 3", "factor: .inf", "factor must be between 0.001 and 1000"),
            ("factor-negative", 9, "factor: 3", "factor: -1", "factor must be between 0.001 and 1000"),
            ("factor-tiny", 9, "factor: 3", "factor: 1e-9", "factor must be between 0.001 and 1000"),
            ("factor-overflow", 9, "factor: 3", "factor: 1e999", "factor must be between 0.001 and 1000"),
            ("factor-list", 9, "factor: 3", "factor: [3]", "option 'factor' of test.scale expects number, got a list"),
            ("mode-unknown", 9, "factor: 3", "mode: divide", "option 'mode' of test.scale expects one of multiply, add_constant, got 'divide'"),
            ("mode-list", 9, "factor: 3", "mode: [multiply]", "option 'mode' of test.scale expects one of multiply|add_constant, got a list"),
            ("tags-mapping", 9, "factor: 3", "tags: { a: b }", "option 'tags' of test.scale expects a list of text such as [a, b], got a mapping"),
            ("crop-odd", 9, "factor: 3", "crop_to: 3", "option 'crop_to' of test.scale: must be even"),
            ("crop-string", 9, "factor: 3", "crop_to: half", "option 'crop_to' of test.scale expects an integer, got 'half'"),
            ("crop-larger-than-data", 7, "factor: 3", "crop_to: 16", "test.scale: cannot crop 8x8 to 16x16"),
            ("runs-zero", 12, "runs: 2", "runs: 0", "runs must be between 1 and 100"),
            ("runs-too-many", 12, "runs: 2", "runs: 101", "runs must be between 1 and 100"),
            ("runs-negative", 12, "runs: 2", "runs: -3", "runs must be between 1 and 100"),
            ("runs-word", 12, "runs: 2", "runs: many", "option 'runs' of test.phaser expects an integer, got 'many'"),
            ("seed-string", 12, "runs: 2", "runs: 2, seed: random", "option 'seed' of test.phaser expects an integer, got 'random'"),
            ("option-twice", 12, "runs: 2", "runs: 2, runs: 3", "malformed YAML: Duplicate key runs"),
            ("with-scalar", 12, "with: { runs: 2 }", "with: 2", "'with' of test.phaser must be a mapping of option: value"),
            ("with-list", 12, "with: { runs: 2 }", "with: [runs, 2]", "'with' of test.phaser must be a mapping of option: value"),
            ("unknown-option", 9, "factor: 3", "factr: 3", "unknown option 'factr' for test.scale (did you mean 'factor'?)"),
            ("writer-unknown-option", 14, "[test.json]", "[{ use: test.json, with: { indnt: true } }]", "unknown option 'indnt' for test.json"),
            ("writer-option-bad-bool", 14, "[test.json]", "[{ use: test.json, with: { indent: maybe } }]", "option 'indent' of test.json expects true or false, got 'maybe'"),
        ];
        foreach (var (name, line, old, @new, says) in values)
        {
            var yaml = Good.Replace(old, @new, StringComparison.Ordinal);
            yield return Yaml("option/" + name, yaml, [$"{{file}}:{line}:", says]);
        }

        // Structure: a line of the good workflow replaced (or inserted); (name, line, replacement lines, where the problem is, message).
        (string Name, int Line, string[] With, string At, string Says)[] structure =
        [
            ("unknown-top-level-key", 2, ["name: w", "colour: red"], "3:1", "unknown key 'colour' in the workflow"),
            ("unknown-input-key", 4, ["  use: test.gen", "  pth: x"], "5:3", "unknown key 'pth' in input (did you mean 'path'?)"),
            ("unknown-step-key", 8, ["    id: scale", "    usr: x"], "9:5", "unknown key 'usr' in step 0"),
            ("unknown-output-key", 14, ["  writers: [test.json]", "  writer: test.json"], "15:3", "unknown key 'writer' in output"),
            ("unknown-writer-key", 14, ["  writers: [{ use: test.json, wth: {} }]"], "14:", "unknown key 'wth'"),
            ("missing-schema", 1, [], "1:1", "missing 'schema: 1'"),
            ("schema-99", 1, ["schema: 99"], "1:9", "unsupported schema '99': this cxdi reads schema 1"),
            ("schema-word", 1, ["schema: one"], "1:9", "unsupported schema 'one'"),
            ("schema-list", 1, ["schema: [1]"], "1:9", "'schema' must be a single value"),
            ("name-not-a-directory", 2, ["name: a/b"], "2:7", "name 'a/b' cannot be used as a directory name"),
            ("name-mapping", 2, ["name: { a: b }"], "2:7", "'name' must be a single value"),
                        ("input-without-use-or-path", 4, [], "4:", "input needs 'use: <reader id>' or 'path: <file>'"),
                        ("step-scalar", 7, ["  - test.scale", "  - use: test.box"], "7:5", "step 0 must be a mapping with use, id and with"),
            ("step-without-use", 7, ["  -"], "8:", "step 0 needs 'use: <plugin id>'"),
            ("step-use-list", 7, ["  - use: [test.scale]"], "7:", "'use' must be a single value"),
            ("duplicate-step-ids", 11, ["    id: scale"], "11:9", "step id 'scale' is used twice; give each step a distinct 'id:'"),
            ("duplicate-top-level-key", 2, ["name: w", "name: v"], "3:1", "malformed YAML: Duplicate key name"),
            ("unknown-plugin", 7, ["  - use: acme.solver"], "7:10", "unknown plugin 'acme.solver' ('cxdi plugins' lists the loaded ones)"),
            ("misspelt-plugin", 7, ["  - use: test.scal"], "7:10", "unknown plugin 'test.scal' (did you mean 'test.scale'?)"),
            ("misspelt-reader", 4, ["  use: test.gne"], "4:8", "unknown plugin 'test.gne' (did you mean 'test.gen'?)"),
            ("reader-as-step", 7, ["  - use: test.raw"], "7:10", "test.raw is a reader, but step"),
            ("writer-as-input", 4, ["  use: test.json"], "4:8", "test.json is a writer, but the input needs a reader"),
            ("phaser-as-writer", 14, ["  writers: [test.phaser]"], "14:13", "test.phaser is a phaser, but output.writers needs a writer"),
            ("unknown-writer", 14, ["  writers: [test.jsn]"], "14:13", "unknown plugin 'test.jsn' (did you mean 'test.json'?)"),
            ("writers-mapping", 14, ["  writers: { test.json: yes }"], "14:12", "'writers' must be a list of writer ids or { use, with } entries"),
            ("phaser-before-preprocessor", 7, ["  - use: test.phaser", "  - use: test.scale"], "8:10", "test.scale: this step needs detector-space intensities but receives object"),
        ];
        foreach (var (name, line, with, at, says) in structure)
        {
            var lines = GoodLines.Take(line - 1).Concat(with).Concat(GoodLines.Skip(line)).ToList();
            yield return Yaml("structure/" + name, string.Join('\n', lines) + "\n", [$"{{file}}:{at}", says]);
        }

        // YAML syntax: the whole text.
        (string Name, string Text, string At, string Says)[] syntax =
        [
            ("empty-file", "", "1:1", "the workflow file is empty"),
            ("only-comments", "# nothing here\n# at all\n", "1:1", "the workflow file is empty"),
            ("only-whitespace", "\n\n   \n", "1:1", "the workflow file is empty"),
            ("scalar-document", "just some text\n", "1:1", "a workflow is a mapping with keys schema, name, input, steps, output"),
            ("list-document", "- schema: 1\n- input: x\n", "1:1", "a workflow is a mapping with keys schema, name, input, steps, output"),
            ("two-documents", Good + "---\nschema: 1\n", "16:", "a workflow file holds one YAML document; remove the '---' separator"),
            ("unclosed-brace", "schema: 1\ninput: { use: test.gen\nsteps: []\n", "2:8", "malformed YAML: '{' is never closed (add the matching '}')"),
            ("unclosed-bracket-at-end", "schema: 1\ninput: { use: test.gen }\nsteps: [ { use: test.scale }\n", "4:1", "did not find expected ',' or ']'"),
            ("unclosed-quote", "schema: 1\nname: \"w\ninput: { use: test.gen }\n", "2:", "malformed YAML"),
            ("tab-indentation", "schema: 1\ninput:\n\tuse: test.gen\n", "3:1", "found invalid tab as indentation"),
            ("bad-indentation", "schema: 1\ninput:\n  use: test.gen\n   with: { size: 4 }\n", "4:", "malformed YAML"),
            ("key-value-value", "schema: 1\ninput: use: test.gen\n", "2:", "malformed YAML"),
            ("binary-junk", "\u0001\u0002\u0003\u0000\u00ff\u00fe junk \u0007\n", "1:", "malformed YAML"),
            ("undefined-alias", "schema: 1\ninput: *nothing\n", "2:8", "malformed YAML: The anchor 'nothing'"),
            ("stray-closing-bracket", "schema: 1\ninput: { use: test.gen }]\n", "2:", "malformed YAML"),
        ];
        foreach (var (name, text, at, says) in syntax)
        {
            yield return Yaml("syntax/" + name, text, [$"{{file}}:{at}", says]);
        }

        // The same workflow problem seen by each command.
        var odd = Good.Replace("factor: 3", "crop_to: 3", StringComparison.Ordinal);
        yield return Yaml("command/validate", odd, ["{file}:9:", "must be even"], "validate", "w.yaml");
        yield return Yaml("command/check", odd, ["{file}:9:", "must be even"], "check", "w.yaml");
        yield return Yaml("command/run-with-out", odd, ["{file}:9:", "must be even"], "run", "w.yaml", "--out", "elsewhere");
        yield return Yaml("command/run-with-backend", odd, ["{file}:9:", "must be even"], "run", "w.yaml", "--backend", "test.backend.fast");

        // The input file.
        var fromFile = "schema: 1\nname: w\ninput:\n  path: data.raw\noutput:\n  writers: [test.json]\n";
        yield return Yaml("input/missing-file", fromFile, ["{file}:4:9: input file data.raw not found (looked at {dir}/data.raw)"]);
        yield return Yaml("input/directory", fromFile, ["{file}:4:9: input data.raw is a directory, not a file"], setUp: t => Directory.CreateDirectory(Path.Combine(t.Path, "data.raw")));
        yield return Yaml("input/unrecognised-content", fromFile, ["{file}:4:9:", "no reader recognises data.raw"], setUp: t => t.File("data.raw", "garbage"));
        yield return Yaml("input/empty-file", fromFile, ["{file}:4:9: no reader recognises data.raw"], setUp: t => t.File("data.raw", ""));
        yield return Yaml("input/truncated", fromFile, ["{file}:4:9:", "header says 4x6 values but the file holds 3 (the file is truncated)"], setUp: t => t.File("data.raw", "TESTRAW 4 6\n1 2 3\n"));
        yield return Yaml("input/bad-header", fromFile, ["{file}:4:9: test.raw: {dir}/data.raw: bad TESTRAW header"], setUp: t => t.File("data.raw", "TESTRAW four six\n1 2 3\n"));
        yield return Yaml("input/wrong-reader", fromFile.Replace("  path: data.raw", "  use: test.raw\n  path: data.raw", StringComparison.Ordinal), ["{file}:5:9: test.raw: {dir}/data.raw: bad TESTRAW header"], setUp: t => t.File("data.raw", "garbage"));
        yield return Yaml("input/path-list", fromFile.Replace("path: data.raw", "path: [a.raw, b.raw]", StringComparison.Ordinal), ["{file}:4:9:", "'path' must be a single value"]);
        yield return Yaml("input/reader-needs-a-path", Good.Replace("  use: test.gen\n  with: { size: 8 }\n", "  use: test.raw\n", StringComparison.Ordinal), ["{file}:4:3: reader test.raw reads a file: add 'path: <file>' to the input"]);
        yield return Yaml("structure/input-list", Good.Replace("input:\n  use: test.gen\n  with: { size: 8 }\n", "input: [test.gen]\n", StringComparison.Ordinal), ["{file}:3:8: 'input' must be a mapping with use, path and with"]);
        yield return Yaml("structure/steps-scalar", string.Join('\n', GoodLines[..5].Append("steps: test.scale").Concat(GoodLines[12..])) + "\n", ["{file}:6:8: 'steps' must be a list of { use: <plugin id>, with: {…} }"]);
        yield return Yaml("structure/missing-input", Good.Replace("input:\n  use: test.gen\n  with: { size: 8 }\n", "", StringComparison.Ordinal), ["{file}:1:1: missing 'input:' block"]);
        yield return Yaml("command/run-out-is-a-file", Good, ["--out taken: output directory {dir}/taken is a file, not a directory"], t => t.File("taken", "x"), "run", "w.yaml", "--out", "taken");
        yield return Yaml("input/output-directory-is-a-file", Good + "  directory: taken\n", ["{file}:15:", "output directory", "is a file"], setUp: t => t.File("taken", "x"));

        // --set overrides that match nothing or bind badly.
        (string Name, string Set, string Says)[] sets =
        [
            ("unknown-top-level", "inptu.path=x", "'inptu' matches nothing (did you mean 'input'?)"),
            ("unknown-step", "steps.nope.with.runs=3", "'steps.nope' matches nothing: no entry with id or plugin 'nope'"),
            ("step-index-out-of-range", "steps.9.with.runs=3", "'steps.9' matches nothing: index 9 is out of range (0…1)"),
            ("into-a-single-value", "name.first=x", "'name' is a single value"),
            ("bad-integer", "steps.phase.with.runs=lots", "option 'runs' of test.phaser expects an integer, got 'lots'"),
            ("out-of-range", "input.with.size=1", "size must be between 2 and 4096"),
            ("unknown-option", "steps.scale.with.factr=2", "unknown option 'factr' for test.scale"),
            ("schema", "schema=2", "unsupported schema '2'"),
            ("unknown-writer", "output.writers=[test.jsn]", "unknown plugin 'test.jsn'"),
            ("empty-segment", "steps..with.runs=3", "empty segment in the key path"),
        ];
        foreach (var (name, set, says) in sets)
        {
            yield return Yaml("set/" + name, Good, ["--set " + set, says], "run", "w.yaml", "--set", set);
        }

        // cxdi.phase operator strings (built-in plugins; validated only).
        (string Name, string Operators, string Says)[] operators =
        [
            ("unbalanced-parenthesis", "ER**5 * (HIO**5", "at position 16: expected ')'"),
            ("unknown-operator", "ER**5 * FOO**5", "at position 9: expected an operator (ER, HIO, RAAR, DM, CF, Sup, SupportUpdate, FT, IFT, Proj, PS, LLK, ML, GPS, OSS, ER_TV, HIO_TV, ER_PSF, HIO_PSF, RAAR_PSF), not 'FOO'"),
            ("bad-parameter-value", "HIO(beta=x)**5", "at position 10: expected a number between 0 and 2 for HIO beta"),
            ("unknown-parameter", "HIO(gamma=0.5)**5", "expected a parameter of HIO (beta), not 'gamma'"),
            ("parameter-out-of-range", "HIO(beta=7)**5", "expected a number between 0 and 2 for HIO beta"),
            ("power-zero", "ER**0", "cannot parse \"ER**0\" at position 5: expected a repeat count between 1 and"),
            ("power-missing", "ER**", "expected a repeat count (a positive integer) after '**'"),
            ("power-negative", "ER**-2", "expected a repeat count (a positive integer) after '**'"),
            ("dangling-star", "ER**5 * * HIO**5", "at position 9: expected an operator"),
            ("unclosed-parameter-list", "HIO(beta=0.5**5", "at position 13: expected ',' or ')'"),
            ("unknown-combinator", "ER**5 + HIO**5", "at position 7: expected '*', '**' or the end"),
            ("empty", "", "cannot parse \"\" at position 1: expected an operator"),
        ];
        foreach (var (name, ops, says) in operators)
        {
            var yaml = $"schema: 1\nname: w\ninput: {{ use: cxdi.simulate, with: {{ size: 32 }} }}\nsteps:\n  - use: cxdi.phase\n    with: {{ operators: \"{ops}\" }}\n";
            yield return new Case("yaml/operators/" + name, 2, Report.Problems, ["{file}:6:13: option 'operators' of cxdi.phase: operators: cannot parse", says], t =>
            {
                t.File("w.yaml", yaml);
                return BuiltIn("validate", "w.yaml");
            });
        }
    }

    private static Case Yaml(string name, string yaml, string[] expect, params string[] args) => Yaml(name, yaml, expect, null, args);

    private static Case Yaml(string name, string yaml, string[] expect, Action<TempDir>? setUp, params string[] args) =>
        new("yaml/" + name, 2, Report.Problems, expect, t =>
        {
            t.File("w.yaml", yaml);
            setUp?.Invoke(t);
            return Test(args.Length == 0 ? ["run", "w.yaml"] : args);
        });

    // ---------------------------------------------------------------- command lines

    private static IEnumerable<Case> CommandLines()
    {
        // (name, arguments after --plugins <test plugins>, expected message parts); the good workflow is w.yaml.
        (string Name, string[] Args, string[] Says)[] usage =
        [
            ("unknown-command", ["frobnicate"], ["frobnicate"]),
            ("misspelt-command", ["rnu", "w.yaml"], ["rnu"]),
            ("unknown-option-run", ["run", "w.yaml", "--frob"], ["--frob"]),
            ("unknown-option-validate", ["validate", "w.yaml", "--outt", "x"], ["--outt"]),
            ("unknown-option-root", ["--colour", "plugins"], ["--colour"]),
            ("out-on-validate", ["validate", "w.yaml", "--out", "x"], ["--out"]),
            ("overwrite-on-check", ["check", "w.yaml", "--overwrite"], ["--overwrite"]),
            ("run-without-flow", ["run"], ["Required argument missing for command: 'run'"]),
            ("validate-without-flow", ["validate"], ["Required argument missing for command: 'validate'"]),
            ("check-without-flow", ["check"], ["Required argument missing for command: 'check'"]),
            ("inspect-without-file", ["inspect"], ["Required argument missing for command: 'inspect'"]),
            ("run-two-flows", ["run", "w.yaml", "w.yaml"], ["w.yaml"]),
            ("set-without-value", ["run", "w.yaml", "--set"], ["--set"]),
            ("out-without-value", ["run", "w.yaml", "--out"], ["--out"]),
            ("backend-without-value", ["run", "w.yaml", "--backend"], ["--backend"]),
            ("reader-without-value", ["inspect", "w.yaml", "--reader"], ["--reader"]),
            ("overwrite-with-value", ["run", "w.yaml", "--overwrite=maybe"], ["maybe"]),
            ("stats-unknown-option", ["stats", "--sise", "4"], ["--sise"]),
            ("stats-size-without-value", ["stats", "--size"], ["--size"]),
            ("plugins-extra-argument", ["plugins", "extra"], ["extra"]),
        ];
        foreach (var (name, args, says) in usage)
        {
            yield return new Case("cli/usage/" + name, 2, Report.OneLine, says, t =>
            {
                t.File("w.yaml", Good);
                return Test(args);
            });
        }

        (string Name, string[] Args, string[] Says)[] values =
        [
            ("backend-unknown-run", ["run", "w.yaml", "--backend", "cuda"], ["--backend cuda: unknown compute backend 'cuda'"]),
            ("backend-unknown-validate", ["validate", "w.yaml", "--backend", "cuda"], ["--backend cuda: unknown compute backend 'cuda'"]),
            ("backend-misspelt", ["run", "w.yaml", "--backend", "test.backend.fats"], ["unknown compute backend 'test.backend.fats'", "did you mean"]),
                        ("flow-missing", ["run", "nope.yaml"], ["workflow file nope.yaml not found"]),
            ("flow-directory", ["validate", "."], ["is a directory, not a workflow file"]),
            ("inspect-missing", ["inspect", "missing.raw"], ["file missing.raw not found"]),
            ("inspect-directory", ["inspect", "sub"], ["is a directory, not a file"]),
            ("inspect-empty", ["inspect", "empty.raw"], ["empty.raw"]),
            ("inspect-junk", ["inspect", "junk.raw"], ["junk.raw"]),
            ("inspect-truncated", ["inspect", "short.raw"], ["short.raw: header says 3x3 values but the file holds 2 (the file is truncated)"]),
            ("inspect-unknown-reader", ["inspect", "short.raw", "--reader", "test.rwa"], ["unknown reader 'test.rwa' (did you mean 'test.raw'?)"]),
            ("inspect-not-a-reader", ["inspect", "short.raw", "--reader", "test.scale"], ["--reader test.scale: test.scale is a preprocessor, not a reader"]),
            ("inspect-workflow-as-data", ["inspect", "w.yaml"], ["w.yaml"]),
            ("stats-size-out-of-range", ["stats", "--size", "500"], ["--size: option 'size' of test.stats-tool: size must be between 2 and 64."]),
            ("stats-size-word", ["stats", "--size", "big"], ["--size big: option 'size' of test.stats-tool expects an integer, got 'big'"]),
            ("stats-size-huge", ["stats", "--size", "1e99"], ["--size 1e99"]),
            ("stats-weights-word", ["stats", "--weights", "x"], ["--weights x: option 'weights' of test.stats-tool item 0: expects a number, got 'x'"]),
            ("stats-quiet-word", ["stats", "--quiet", "maybe"], ["--quiet maybe"]),
            ("stats-out-is-a-file", ["stats", "--out", "taken"], ["--out taken: output directory {dir}/taken is a file, not a directory"]),
            ("backend-variable-unknown", ["validate", "w.yaml"], ["CXDI_BACKEND=quantum: unknown compute backend 'quantum'"]),
        ];
        foreach (var (name, args, says) in values)
        {
            yield return new Case("cli/value/" + name, 2, Report.OneLine, says, t =>
            {
                t.File("w.yaml", Good);
                t.File("taken", "a file, not a folder");
                t.File("empty.raw", "");
                t.File("junk.raw", "\u0001\u0002 not data");
                t.File("short.raw", "TESTRAW 3 3\n1 2\n");
                Directory.CreateDirectory(Path.Combine(t.Path, "sub"));
                var call = Test(args);
                return name == "backend-variable-unknown" ? call with { Variables = new Dictionary<string, string> { ["CXDI_BACKEND"] = "quantum" } } : call;
            });
        }

        // Malformed --set arguments: one line each, naming the argument.
        foreach (var set in new[] { "a", "=b", "a.b", "=", "steps.phase.with.runs" })
        {
            yield return new Case($"cli/set/'{set}'", 2, Report.Problems, ["--set " + set, "expected --set path.to.key=value"], t =>
            {
                t.File("w.yaml", Good);
                return Test("validate", "w.yaml", "--set", set);
            });
        }

        // Tools of the built-in plugins.
        (string Name, string[] Args, string[] Says)[] tools =
        [
            ("plan-nothing", ["plan"], ["give exactly one of --energy (e.g. 8keV) or --wavelength (e.g. 1.55A)"]),
            ("plan-energy-and-wavelength", ["plan", "--energy", "8keV", "--wavelength", "1.5A", "--distance", "5m", "--pixel", "55um"], ["give exactly one of --energy"]),
            ("plan-pixels-word", ["plan", "--energy", "8keV", "--distance", "5m", "--pixel", "55um", "--pixels", "many"], ["--pixels many: option 'pixels' of cxdi.plan expects an integer, got 'many'"]),
            ("plan-negative-energy", ["plan", "--energy", "-8keV", "--distance", "5m", "--pixel", "55um"], ["energy"]),
            ("plan-unitless-distance", ["plan", "--energy", "8keV", "--distance", "5", "--pixel", "55um"], ["--distance"]),
            ("plan-out", ["plan", "--energy", "8keV", "--distance", "5m", "--pixel", "55um", "--out", "x"], ["--out"]),
            ("simulate-size-word", ["simulate", "--size", "big"], ["--size big"]),
            ("simulate-size-negative", ["simulate", "--size", "-4"], ["size"]),
            ("simulate-gap-offsets-word", ["simulate", "--size", "128", "--gap-offsets", "21,x"], ["--gap-offsets 21,x: option 'gap_offsets' of cxdi.simulate-tool"]),
        ];
        foreach (var (name, args, says) in tools)
        {
            // plan-nothing reports each missing option on its own line, by design
            yield return new Case("cli/tool/" + name, 2, name == "plan-nothing" ? Report.ErrorLines : Report.OneLine, says, t =>
            {
                t.File("taken", "a file, not a folder");
                return BuiltIn(args);
            });
        }

        // simulate's own --out naming an existing file (absolute: the tool resolves it against the process's directory).
        yield return new Case("cli/tool/simulate-out-file", 2, Report.OneLine, ["--out is a file, not a directory"], t =>
            BuiltIn(["simulate", "--size", "32", "--out", t.File("taken", "a file, not a folder")]));
    }

    // ---------------------------------------------------------------- plugin folders

    private static IEnumerable<Case> PluginFolders()
    {
        // A folder given with --plugins that holds no usable plugin: (name, set-up returning the folder, expected message parts).
        (string Name, Func<TempDir, string> Folder, string[] Says)[] folders =
        [
            ("empty-folder", t => Dir(t, "empty"), ["no plugin found in {dir}/empty"]),
            ("missing-folder", t => Path.Combine(t.Path, "missing"), ["{dir}/missing", "does not exist"]),
            ("file-not-folder", t => t.File("plugins.txt", "not a folder"), ["{dir}/plugins.txt"]),
            ("dll-file-not-folder", t => Copy(t, "p") + "/Cxdi.Host.TestPlugins.dll", ["Cxdi.Host.TestPlugins.dll"]),
            ("junk-dlls", t => { var d = Dir(t, "junk"); File.WriteAllText(Path.Combine(d, "a.dll"), "junk"); File.WriteAllBytes(Path.Combine(d, "b.dll"), [0x4d, 0x5a, 0, 0]); return d; }, ["no plugin found in {dir}/junk"]),
            ("text-named-dll", t => { var d = Dir(t, "X"); File.WriteAllText(Path.Combine(d, "X.dll"), "this is a text file"); return d; }, ["no plugin found in {dir}/X"]),
            ("empty-dll", t => { var d = Dir(t, "E"); File.WriteAllBytes(Path.Combine(d, "E.dll"), []); return d; }, ["no plugin found in {dir}/E"]),
            ("assembly-without-module", t => { var d = Dir(t, "YamlDotNet"); File.Copy(Path.Combine(AppContext.BaseDirectory, "YamlDotNet.dll"), Path.Combine(d, "YamlDotNet.dll")); return d; }, ["no plugin found in {dir}/YamlDotNet"]),
            ("truncated-plugin", t => { var d = Copy(t, "Cxdi.Host.TestPlugins"); Truncate(Path.Combine(d, "Cxdi.Host.TestPlugins.dll"), 1000); return d; }, ["no plugin found in {dir}/Cxdi.Host.TestPlugins"]),
            ("half-plugin", t => { var d = Copy(t, "Cxdi.Host.TestPlugins"); Truncate(Path.Combine(d, "Cxdi.Host.TestPlugins.dll"), (int)(new FileInfo(Path.Combine(d, "Cxdi.Host.TestPlugins.dll")).Length / 2)); return d; }, ["{dir}/Cxdi.Host.TestPlugins"]),
            ("sdk-major-7", t => { var d = Copy(t, "Cxdi.Host.TestPlugins"); PluginCatalogTests.SetSdkReferenceMajor(Path.Combine(d, "Cxdi.Host.TestPlugins.dll"), 7); return d; }, ["plugin {dir}/Cxdi.Host.TestPlugins/Cxdi.Host.TestPlugins.dll was built against Cxdi.Sdk 7."]),
            ("sdk-major-99", t => { var d = Copy(t, "Cxdi.Host.TestPlugins"); PluginCatalogTests.SetSdkReferenceMajor(Path.Combine(d, "Cxdi.Host.TestPlugins.dll"), 99); return d; }, ["was built against Cxdi.Sdk 99."]),
            ("sdk-major-in-subfolder", t => { var d = Copy(t, "root/Cxdi.Host.TestPlugins"); PluginCatalogTests.SetSdkReferenceMajor(Path.Combine(d, "Cxdi.Host.TestPlugins.dll"), 7); return Path.Combine(t.Path, "root"); }, ["was built against Cxdi.Sdk 7."]),
            ("same-id-twice-below-one-folder", t => { Copy(t, "root/A"); Copy(t, "root/B"); return Path.Combine(t.Path, "root"); }, ["is claimed by both", "{dir}/root/A/Cxdi.Host.TestPlugins.dll", "{dir}/root/B/Cxdi.Host.TestPlugins.dll"]),
            ("corrupt-deps-json", t => { var d = Copy(t, "Cxdi.Host.TestPlugins"); File.WriteAllText(Path.Combine(d, "Cxdi.Host.TestPlugins.deps.json"), "{ not json"); return d; }, ["{dir}/Cxdi.Host.TestPlugins"]),
            ("dll-is-a-folder", t => { var d = Dir(t, "F"); Directory.CreateDirectory(Path.Combine(d, "F.dll")); return d; }, ["no plugin found in {dir}/F"]),
        ];
        foreach (var (name, folder, says) in folders)
        {
            yield return new Case("plugins/folder/" + name, 2, Report.OneLine, says, t => new Call(["--plugins", folder(t), "plugins"]));
        }

        // The same broken folder seen by every command: --plugins is strict.
        foreach (var command in new[] { "run", "validate", "check", "inspect", "stats" })
        {
            yield return new Case("plugins/command/" + command, 2, Report.OneLine, ["no plugin found in {dir}/empty"], t =>
            {
                t.File("w.yaml", Good);
                Dir(t, "empty");
                string[] rest = command switch { "inspect" => ["w.yaml"], "stats" => [], _ => ["w.yaml"] };
                return new Call(["--plugins", Harness.TestPlugins, "--plugins", "empty", command, .. rest]);
            });
        }

        yield return new Case("plugins/same-id-in-two-folders", 2, Report.OneLine, ["is claimed by both", "{dir}/a/Cxdi.Host.TestPlugins/Cxdi.Host.TestPlugins.dll", "{dir}/b/Cxdi.Host.TestPlugins/Cxdi.Host.TestPlugins.dll"], t =>
        {
            t.File("w.yaml", Good);
            return new Call(["--plugins", Copy(t, "a/Cxdi.Host.TestPlugins"), "--plugins", Copy(t, "b/Cxdi.Host.TestPlugins"), "run", "w.yaml"]);
        });

        // CXDI_PLUGIN_PATH is lenient: a missing or broken entry is a warning, and the workflow then names what it cannot find.
        yield return new Case("plugins/path-variable/missing-entry", 2, Report.Problems, ["{file}:4:8: unknown plugin 'test.gen'"], t =>
        {
            t.File("w.yaml", Good);
            return new Call(["run", "w.yaml"], PluginPath(Path.Combine(t.Path, "missing")));
        }, Warnings: 1);
        yield return new Case("plugins/path-variable/empty-entries", 2, Report.Problems, ["{file}:4:8: unknown plugin 'test.gen'"], t =>
        {
            t.File("w.yaml", Good);
            return new Call(["validate", "w.yaml"], PluginPath($"{Path.PathSeparator}{Path.PathSeparator} "));
        });
        yield return new Case("plugins/path-variable/broken-entry", 2, Report.Problems, ["unknown plugin 'test.gen'", "plugin folder {dir}/Broken failed to load", "was built against Cxdi.Sdk 7."], t =>
        {
            t.File("w.yaml", Good);
            var d = Copy(t, "Broken");
            PluginCatalogTests.SetSdkReferenceMajor(Path.Combine(d, "Cxdi.Host.TestPlugins.dll"), 7);
            return new Call(["run", "w.yaml"], PluginPath(d));
        }, Warnings: 1);
        yield return new Case("plugins/path-variable/junk-entry", 2, Report.Problems, ["{file}:4:8: unknown plugin 'test.gen'"], t =>
        {
            t.File("w.yaml", Good);
            var d = Dir(t, "junk");
            File.WriteAllText(Path.Combine(d, "junk.dll"), "junk");
            return new Call(["run", "w.yaml"], PluginPath(d));
        }, Warnings: 2);
    }

    private static Dictionary<string, string> PluginPath(string value) => new() { ["CXDI_PLUGIN_PATH"] = value };

    private static string Dir(TempDir t, string name) => Directory.CreateDirectory(Path.Combine(t.Path, name)).FullName;

    /// <summary>A copy of the test plugin folder at <paramref name="relative"/> under the temporary directory.</summary>
    private static string Copy(TempDir t, string relative)
    {
        var folder = Path.Combine(t.Path, relative);
        Harness.CopyDirectory(Harness.TestPlugins, folder);
        return folder;
    }

    private static void Truncate(string file, int length) => File.WriteAllBytes(file, File.ReadAllBytes(file)[..length]);

    private static Call Test(params string[] args) => new(["--plugins", Harness.TestPlugins, .. args]);

    private static Call BuiltIn(params string[] args) => new(["--plugins", Harness.BuiltInPlugins, .. args]);

    /// <summary>A command line and its environment variables.</summary>
    private sealed record Call(string[] Args, IReadOnlyDictionary<string, string>? Variables = null);

    /// <summary>One malformed input.</summary>
    /// <param name="Name">kind/group/case; the kind is yaml, cli or plugins.</param>
    /// <param name="ExitCode">The exit code expected.</param>
    /// <param name="Report">How stderr must look.</param>
    /// <param name="Expect">Substrings of stderr; <c>{file}</c> is the workflow w.yaml, <c>{dir}</c> the temporary directory.</param>
    /// <param name="Arrange">Writes the case's files into the temporary directory and gives the command line.</param>
    /// <param name="Warnings">Warning lines expected before the error.</param>
    private sealed record Case(string Name, int ExitCode, Report Report, string[] Expect, Func<TempDir, Call> Arrange, int Warnings = 0);
}
