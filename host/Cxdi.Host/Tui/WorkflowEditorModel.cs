using Cxdi.Host.Cli;
using Cxdi.Host.Execution;
using Cxdi.Host.Options;
using Cxdi.Host.Workflows;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Tui;

/// <summary>One position of a workflow the editor can change: the input or a step.</summary>
/// <param name="Title">"input (cxdi.simulate)" or "phase (cxdi.phase)".</param>
/// <param name="PathPrefix">Override path of its options: <c>input.with</c> or <c>steps.&lt;id&gt;.with</c>.</param>
/// <param name="PluginId">Plugin id, or null when not given (detected input).</param>
/// <param name="With">Its <c>with:</c> block as written, or null.</param>
public sealed record EditorStep(string Title, string PathPrefix, string? PluginId, YamlMappingNode? With);

/// <summary>One option in the form: what it is (type, unit, default, help) and its value as text, with the problem it has.</summary>
/// <param name="Spec">The option (key, type, unit, default, description) from the plugin's options record.</param>
/// <param name="Value">Current value as YAML text.</param>
/// <param name="IsSet">True when the workflow or an edit sets it; false for the default.</param>
/// <param name="Problem">Validation problem of this value, or null.</param>
public sealed record EditorField(OptionSpec Spec, string Value, bool IsSet, string? Problem);

/// <summary>
/// The workflow editor's state: a form per step generated from the plugin's options record, edits kept as <c>--set</c>
/// overrides and validated at once by the same planner as <c>cxdi validate</c>, and "save" to a new YAML file (the
/// original, comments included, is never overwritten). Free of any UI toolkit.
/// </summary>
public sealed class WorkflowEditorModel
{
    private readonly TuiSession _session;
    private readonly Dictionary<string, string> _edits = new(StringComparer.Ordinal);

    /// <summary>Opens <paramref name="file"/>.</summary>
    public WorkflowEditorModel(TuiSession session, string file)
    {
        _session = session;
        File = Path.GetFullPath(Path.Combine(session.CurrentDirectory, file));
        Revalidate();
    }

    /// <summary>The workflow file.</summary>
    public string File { get; }

    /// <summary>The result of the last validation.</summary>
    public WorkflowInfo Info { get; private set; } = null!;

    /// <summary>Editable positions: the input, then the steps.</summary>
    public IReadOnlyList<EditorStep> Steps { get; private set; } = [];

    /// <summary>The edits as <c>path=value</c> overrides, in the order made.</summary>
    public IReadOnlyList<string> Sets => _edits.Select(e => $"{e.Key}={e.Value}").ToList();

    /// <summary>The form of step <paramref name="step"/>: one field per option of its plugin (empty when the plugin is unknown).</summary>
    public IReadOnlyList<EditorField> Fields(int step)
    {
        var s = Steps[step];
        if (s.PluginId is null || _session.Catalog.Find(s.PluginId) is not { } descriptor)
        {
            return [];
        }

        var fields = new List<EditorField>();
        foreach (var spec in OptionsBinder.Describe(descriptor.OptionsType))
        {
            var path = $"{s.PathPrefix}.{spec.Key}";
            string value;
            var isSet = true;
            if (_edits.TryGetValue(path, out var edited))
            {
                value = edited;
            }
            else if (s.With is not null && s.With.Children.TryGetValue(new YamlScalarNode(spec.Key), out var node))
            {
                value = Text(node);
            }
            else
            {
                value = Commands.Show(spec.Default);
                isSet = false;
            }

            fields.Add(new EditorField(spec, value, isSet, ProblemOf(path, s, spec.Key)));
        }

        return fields;
    }

    /// <summary>Sets option <paramref name="key"/> of step <paramref name="step"/> to <paramref name="value"/> (YAML text) and revalidates.</summary>
    public void SetValue(int step, string key, string value)
    {
        _edits[$"{Steps[step].PathPrefix}.{key}"] = value.Trim();
        Revalidate();
    }

    /// <summary>Forgets the edit of option <paramref name="key"/> of step <paramref name="step"/> and revalidates.</summary>
    public void Reset(int step, string key)
    {
        _edits.Remove($"{Steps[step].PathPrefix}.{key}");
        Revalidate();
    }

    /// <summary>
    /// Writes the workflow with the edits applied to a new file beside the original (<c>&lt;name&gt;.edited.yaml</c>, numbered when
    /// taken) or to <paramref name="path"/> when given — never over the original. Returns the path written.
    /// </summary>
    public string SaveAs(string? path = null)
    {
        var target = path is null ? NewName() : Path.GetFullPath(Path.Combine(_session.CurrentDirectory, path));
        if (string.Equals(target, File, StringComparison.Ordinal))
        {
            throw new UsageException($"refusing to overwrite {File}: the editor saves to a new file so that your comments and layout are kept", "choose another name");
        }

        var doc = WorkflowDocument.Load(File, Sets, []);
        var stream = new YamlStream(new YamlDocument(doc.Root));
        using var text = new StringWriter();
        text.WriteLine($"# Written by cxdi tui from {Path.GetFileName(File)} with: {(Sets.Count == 0 ? "no change" : string.Join("; ", Sets))}");
        stream.Save(text, assignAnchors: false);
        var yaml = text.ToString();
        if (yaml.EndsWith("...\n", StringComparison.Ordinal))
        {
            yaml = yaml[..^4];
        }

        AtomicFile.WriteAllText(target, yaml);
        return target;
    }

    private string NewName()
    {
        var dir = Path.GetDirectoryName(File)!;
        var stem = Path.GetFileNameWithoutExtension(File);
        for (var i = 1; ; i++)
        {
            var candidate = Path.Combine(dir, i == 1 ? $"{stem}.edited.yaml" : $"{stem}.edited{i}.yaml");
            if (!System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }
    }

    private void Revalidate()
    {
        Info = _session.Describe(File, Sets);
        var steps = new List<EditorStep>();
        try
        {
            var doc = WorkflowDocument.Load(File, [], []);
            if (doc.Input is { } input)
            {
                steps.Add(new EditorStep($"input ({input.Plugin.Use ?? "detected"})", "input.with", input.Plugin.Use ?? Info.Plan?.Input.Descriptor.Id, input.Plugin.With as YamlMappingNode));
            }

            foreach (var s in doc.Steps)
            {
                steps.Add(new EditorStep(s.Id == s.Plugin.Use ? s.Id : $"{s.Id} ({s.Plugin.Use})", $"steps.{s.Id}.with", s.Plugin.Use, s.Plugin.With as YamlMappingNode));
            }
        }
        catch (WorkflowValidationException)
        {
            // The file itself does not parse: Info.Problems says why, and there is nothing to edit.
        }

        Steps = steps;
    }

    private string? ProblemOf(string path, EditorStep step, string key)
    {
        if (_edits.TryGetValue(path, out var value))
        {
            var origin = $"--set {path}={value}";
            var own = Info.Problems.FirstOrDefault(p => p.Where == origin || p.Where.StartsWith(origin + ":", StringComparison.Ordinal));
            if (own is not null)
            {
                return own.Message;
            }
        }

        if (step.With is not null && step.With.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            var line = (int)node.Start.Line;
            return Info.Problems.FirstOrDefault(p => WorkflowInfo.LineOf(p, File) == line)?.Message;
        }

        return null;
    }

    private static string Text(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        YamlSequenceNode seq => "[" + string.Join(", ", seq.Children.Select(Text)) + "]",
        _ => node.ToString(),
    };
}
