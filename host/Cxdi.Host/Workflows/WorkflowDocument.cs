using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Workflows;

/// <summary>A plugin reference with its options as written: <c>use: id</c> and <c>with: {…}</c>.</summary>
/// <param name="Use">Plugin id (null when omitted).</param>
/// <param name="UseNode">The node of the id (for messages).</param>
/// <param name="With">The options mapping, or null.</param>
/// <param name="Node">The whole entry.</param>
public sealed record PluginUse(string? Use, YamlNode? UseNode, YamlNode? With, YamlNode Node);

/// <summary>One entry of <c>steps:</c>.</summary>
/// <param name="Index">Position, from 0.</param>
/// <param name="Id">The step id: its <c>id:</c>, else its plugin id.</param>
/// <param name="Plugin">The plugin and its options.</param>
public sealed record WorkflowStep(int Index, string Id, PluginUse Plugin);

/// <summary>The <c>input:</c> block.</summary>
/// <param name="Plugin">Reader id (may be null: detect by content) and options.</param>
/// <param name="Path">The <c>path:</c> text, or null.</param>
/// <param name="PathNode">Its node.</param>
public sealed record WorkflowInput(PluginUse Plugin, string? Path, YamlNode? PathNode);

/// <summary>A parsed workflow file, every value still tied to its YAML node for line:col messages.</summary>
public sealed class WorkflowDocument
{
    /// <summary>Top-level keys a workflow may have.</summary>
    public static readonly string[] TopLevelKeys = ["schema", "name", "description", "input", "steps", "output"];

    /// <summary>The schema version this host reads.</summary>
    public const int SupportedSchema = 1;

    private WorkflowDocument(string file, SourceMap map, YamlMappingNode root)
    {
        File = file;
        Map = map;
        Root = root;
    }

    /// <summary>Absolute path of the workflow file.</summary>
    public string File { get; }

    /// <summary>Directory relative paths in the file are resolved against.</summary>
    public string BaseDirectory => Path.GetDirectoryName(File) ?? ".";

    /// <summary>Node origins for messages.</summary>
    public SourceMap Map { get; }

    /// <summary>The root mapping (after <c>--set</c> overrides).</summary>
    public YamlMappingNode Root { get; }

    /// <summary>Workflow name (the file stem when <c>name:</c> is absent).</summary>
    public string Name { get; private set; } = "";

    /// <summary>Free text.</summary>
    public string Description { get; private set; } = "";

    /// <summary>The input block, or null when missing (a problem is recorded).</summary>
    public WorkflowInput? Input { get; private set; }

    /// <summary>Steps in order.</summary>
    public List<WorkflowStep> Steps { get; } = [];

    /// <summary>The <c>output.directory</c> text, or null.</summary>
    public string? OutputDirectory { get; private set; }

    /// <summary>Its node.</summary>
    public YamlNode? OutputDirectoryNode { get; private set; }

    /// <summary>Writers listed under <c>output.writers</c>; null when the key is absent.</summary>
    public List<PluginUse>? Writers { get; private set; }

    /// <summary>The <c>output</c> node, or the root when absent.</summary>
    public YamlNode OutputNode { get; private set; } = null!;

    /// <summary>
    /// Reads and checks the structure of a workflow file, applying <paramref name="sets"/> (<c>path.to.key=value</c>) first.
    /// Structural problems go to <paramref name="problems"/>; an unreadable, empty or malformed file throws <see cref="WorkflowValidationException"/>.
    /// </summary>
    public static WorkflowDocument Load(string file, IReadOnlyList<string> sets, List<Problem> problems)
    {
        var map = new SourceMap(file);
        string text;
        try
        {
            text = System.IO.File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WorkflowValidationException([new Problem(file, $"cannot read the workflow: {e.Message}")]);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = (e.InnerException as YamlException)?.Message ?? e.Message;
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && cut > 0)
            {
                message = message[(cut + 3)..];
            }

            var at = message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentationTab(text) is { } tab ? tab
                : UndefinedAlias(text, message) is { } alias ? alias
                : (e.Start.Line, e.Start.Column);
            throw new WorkflowValidationException([new Problem($"{file}:{at.Line}:{at.Column}", $"malformed YAML: {message}")]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some unclosed flow collections ('{' or '[' without its closing bracket).
            var (line, column, bracket) = UnclosedFlowCollection(text);
            throw new WorkflowValidationException([new Problem($"{file}:{line}:{column}", $"malformed YAML: '{bracket}' is never closed (add the matching '{(bracket == '{' ? '}' : ']')}')")]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            throw new WorkflowValidationException([new Problem($"{file}:1:1", "the workflow file is empty (it needs at least 'schema: 1' and an 'input:' block)")]);
        }

        if (stream.Documents.Count > 1)
        {
            throw new WorkflowValidationException([map.Problem(stream.Documents[1].RootNode, "a workflow file holds one YAML document; remove the '---' separator")]);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new WorkflowValidationException([map.Problem(stream.Documents[0].RootNode, "a workflow is a mapping with keys schema, name, input, steps, output")]);
        }

        var doc = new WorkflowDocument(file, map, root);
        foreach (var set in sets)
        {
            SetOverride.Apply(root, set, map, problems);
        }

        doc.Parse(problems);
        return doc;
    }

    /// <summary>Line and column (from 1) of the first tab in the leading whitespace of a line, or null.</summary>
    private static (long Line, long Column)? FirstIndentationTab(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            for (var j = 0; j < lines[i].Length && lines[i][j] is ' ' or '\t'; j++)
            {
                if (lines[i][j] == '\t')
                {
                    return (i + 1, j + 1);
                }
            }
        }

        return null;
    }

    /// <summary>Line and column (from 1) of the first use <c>*name</c> of the anchor that YamlDotNet's <paramref name="message"/> says is not defined (its own mark is the start of the file), or null.</summary>
    private static (long Line, long Column)? UndefinedAlias(string text, string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "^The anchor '([^']+)' does not exist");
        if (!match.Success)
        {
            return null;
        }

        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            for (var at = lines[i].IndexOf('*' + match.Groups[1].Value, StringComparison.Ordinal); at >= 0; at = lines[i].IndexOf('*' + match.Groups[1].Value, at + 1, StringComparison.Ordinal))
            {
                var end = at + 1 + match.Groups[1].Value.Length;
                if (end == lines[i].Length || lines[i][end] is ' ' or ',' or ']' or '}' or '#')
                {
                    return (i + 1, at + 1);
                }
            }
        }

        return null;
    }

    /// <summary>Where the last flow collection still open at the end of the YAML tokens was opened, from the tokens read before the scanner failed.</summary>
    private static (long Line, long Column, char Bracket) UnclosedFlowCollection(string text)
    {
        var open = new Stack<(long Line, long Column, char Bracket)>();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            while (scanner.MoveNext())
            {
                switch (scanner.Current)
                {
                    case YamlDotNet.Core.Tokens.FlowMappingStart t:
                        open.Push((t.Start.Line, t.Start.Column, '{'));
                        break;
                    case YamlDotNet.Core.Tokens.FlowSequenceStart t:
                        open.Push((t.Start.Line, t.Start.Column, '['));
                        break;
                    case YamlDotNet.Core.Tokens.FlowMappingEnd or YamlDotNet.Core.Tokens.FlowSequenceEnd when open.Count > 0:
                        open.Pop();
                        break;
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
        }

        return open.Count > 0 ? open.Peek() : (1, 1, '{');
    }

    /// <summary>The scalar text of a node, or null (with a problem) when it is not a scalar.</summary>
    private string? Scalar(YamlNode? node, string what, List<Problem> problems)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode s:
                return s.Value;
            default:
                problems.Add(Map.Problem(node, $"'{what}' must be a single value, not a {(node is YamlMappingNode ? "mapping" : "list")}"));
                return null;
        }
    }

    private static YamlNode? Get(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private void CheckKeys(YamlMappingNode mapping, string what, IReadOnlyList<string> allowed, List<Problem> problems)
    {
        foreach (var key in mapping.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(name))
            {
                problems.Add(Map.Problem(key, $"unknown key '{name}' in {what}{Naming.Suggest(name, allowed)} (valid: {string.Join(", ", allowed)})"));
            }
        }
    }

    private void Parse(List<Problem> problems)
    {
        CheckKeys(Root, "the workflow", TopLevelKeys, problems);

        var schemaNode = Get(Root, "schema");
        if (schemaNode is null)
        {
            problems.Add(Map.Problem(Root, $"missing 'schema: {SupportedSchema}' (the workflow format version)"));
        }
        else if (Scalar(schemaNode, "schema", problems) is { } schema && schema != SupportedSchema.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            problems.Add(Map.Problem(schemaNode, $"unsupported schema '{schema}': this cxdi reads schema {SupportedSchema}"));
        }

        Name = Scalar(Get(Root, "name"), "name", problems) ?? Path.GetFileNameWithoutExtension(File);
        if (Name.Length == 0 || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name is "." or "..")
        {
            problems.Add(Map.Problem(Get(Root, "name"), $"name '{Name}' cannot be used as a directory name"));
        }

        Description = Scalar(Get(Root, "description"), "description", problems) ?? "";

        switch (Get(Root, "input"))
        {
            case null:
                problems.Add(Map.Problem(Root, "missing 'input:' block (give 'use: <reader id>' and/or 'path: <file>')"));
                break;
            case YamlMappingNode input:
                CheckKeys(input, "input", ["use", "path", "with"], problems);
                var pathNode = Get(input, "path");
                Input = new WorkflowInput(ParseUse(input, "input", requireUse: false, problems), Scalar(pathNode, "path", problems), pathNode);
                break;
            case var other:
                problems.Add(Map.Problem(other, "'input' must be a mapping with use, path and with"));
                break;
        }

        switch (Get(Root, "steps"))
        {
            case null:
                break;
            case YamlScalarNode s when s.Value is null or "" or "~" or "null":
                break;
            case YamlSequenceNode steps:
                var ids = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < steps.Children.Count; i++)
                {
                    if (steps.Children[i] is not YamlMappingNode stepNode)
                    {
                        problems.Add(Map.Problem(steps.Children[i], $"step {i} must be a mapping with use, id and with"));
                        continue;
                    }

                    CheckKeys(stepNode, $"step {i}", ["use", "id", "with"], problems);
                    var use = ParseUse(stepNode, $"step {i}", requireUse: true, problems);
                    var idNode = Get(stepNode, "id");
                    var explicitId = Scalar(idNode, "id", problems);
                    var id = explicitId ?? use.Use ?? $"step{i}";
                    if (explicitId is null)
                    {
                        // A plugin used twice without ids: the second is <plugin>#2, and so on.
                        for (var n = 2; ids.Contains(id); n++)
                        {
                            id = $"{use.Use ?? "step"}#{n}";
                        }
                    }

                    if (!ids.Add(id))
                    {
                        problems.Add(Map.Problem(idNode ?? use.UseNode, $"step id '{id}' is used twice; give each step a distinct 'id:'", stepNode));
                    }

                    Steps.Add(new WorkflowStep(i, id, use));
                }

                break;
            case var other:
                problems.Add(Map.Problem(other, "'steps' must be a list of { use: <plugin id>, with: {…} }"));
                break;
        }

        OutputNode = Root;
        switch (Get(Root, "output"))
        {
            case null:
                break;
            case YamlMappingNode output:
                OutputNode = output;
                CheckKeys(output, "output", ["directory", "writers"], problems);
                OutputDirectoryNode = Get(output, "directory");
                OutputDirectory = Scalar(OutputDirectoryNode, "directory", problems);
                switch (Get(output, "writers"))
                {
                    case null:
                        break;
                    case YamlSequenceNode writers:
                        Writers = [];
                        foreach (var w in writers.Children)
                        {
                            switch (w)
                            {
                                case YamlScalarNode s:
                                    Writers.Add(new PluginUse(s.Value, s, null, s));
                                    break;
                                case YamlMappingNode m:
                                    CheckKeys(m, "a writer", ["use", "with"], problems);
                                    Writers.Add(ParseUse(m, "writer", requireUse: true, problems));
                                    break;
                                default:
                                    problems.Add(Map.Problem(w, "a writer is an id or { use: <id>, with: {…} }"));
                                    break;
                            }
                        }

                        break;
                    case YamlScalarNode single:
                        Writers = [new PluginUse(single.Value, single, null, single)];
                        break;
                    case var other:
                        problems.Add(Map.Problem(other, "'writers' must be a list of writer ids or { use, with } entries"));
                        break;
                }

                break;
            case var other:
                problems.Add(Map.Problem(other, "'output' must be a mapping with directory and writers"));
                break;
        }
    }

    private PluginUse ParseUse(YamlMappingNode node, string what, bool requireUse, List<Problem> problems)
    {
        var useNode = Get(node, "use");
        var use = Scalar(useNode, "use", problems);
        if (requireUse && string.IsNullOrEmpty(use))
        {
            problems.Add(Map.Problem(useNode ?? node, $"{what} needs 'use: <plugin id>'"));
        }

        return new PluginUse(string.IsNullOrEmpty(use) ? null : use, useNode, Get(node, "with"), node);
    }
}
