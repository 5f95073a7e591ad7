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

    /// <summary>The document after structural edits (steps added, removed, moved) as YAML text; null while there are none.</summary>
    private string? _draft;

    /// <summary>What <see cref="SaveAs"/> last wrote (or the file as opened): <see cref="HasUnsavedEdits"/> compares with it.</summary>
    private string _saved = "";

    /// <summary>Opens <paramref name="file"/>.</summary>
    public WorkflowEditorModel(TuiSession session, string file)
    {
        _session = session;
        File = Path.GetFullPath(Path.Combine(session.CurrentDirectory, file));
        Revalidate();
        _saved = State;
    }

    /// <summary>The workflow file.</summary>
    public string File { get; }

    /// <summary>The result of the last validation.</summary>
    public WorkflowInfo Info { get; private set; } = null!;

    /// <summary>Editable positions: the input, then the steps.</summary>
    public IReadOnlyList<EditorStep> Steps { get; private set; } = [];

    /// <summary>True when steps were added, removed or moved (the edits then live in a draft until saved).</summary>
    public bool HasStructuralEdits => _draft is not null;

    /// <summary>
    /// True when the edits differ from what was last saved (from the file as opened, before any save): quitting now would
    /// lose them. Undoing every edit, or saving, makes it false again.
    /// </summary>
    public bool HasUnsavedEdits => !string.Equals(State, _saved, StringComparison.Ordinal);

    /// <summary>The edits as one comparable text: the draft, then the overrides.</summary>
    private string State => (_draft ?? "") + "\n--\n" + string.Join("\n", Sets);

    /// <summary>Plugin ids that can be a step (preprocessors, support finders, phasers, denoisers, analyses), sorted.</summary>
    public IReadOnlyList<string> StepPlugins => _session.Catalog.Plugins
        .Where(p => p.Role is Sdk.Plugins.PluginRole.Preprocessor or Sdk.Plugins.PluginRole.SupportFinder or Sdk.Plugins.PluginRole.Phaser or Sdk.Plugins.PluginRole.Denoiser or Sdk.Plugins.PluginRole.Analysis)
        .Select(p => p.Id).Order(StringComparer.Ordinal).ToList();

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

    /// <summary>Moves step <paramref name="step"/> (an index into <see cref="Steps"/>; the input cannot move) by <paramref name="delta"/> places; false when it cannot.</summary>
    public bool MoveStep(int step, int delta)
    {
        return EditSteps(step, steps =>
        {
            var from = step - FirstStep;
            var to = from + delta;
            if (to < 0 || to >= steps.Children.Count)
            {
                return false;
            }

            var node = steps.Children[from];
            steps.Children.RemoveAt(from);
            steps.Children.Insert(to, node);
            return true;
        });
    }

    /// <summary>Removes step <paramref name="step"/> (the input cannot be removed); false when it cannot.</summary>
    public bool RemoveStep(int step) => EditSteps(step, steps =>
    {
        steps.Children.RemoveAt(step - FirstStep);
        return true;
    });

    /// <summary>Adds a step using <paramref name="pluginId"/> after position <paramref name="after"/> (the input: first), with its default options.</summary>
    public void AddStep(int after, string pluginId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pluginId);
        var root = DraftRoot();
        if (!root.Children.TryGetValue(new YamlScalarNode("steps"), out var node) || node is not YamlSequenceNode steps)
        {
            steps = new YamlSequenceNode();
            root.Children[new YamlScalarNode("steps")] = steps;
        }

        var index = Math.Clamp(after - FirstStep + 1, 0, steps.Children.Count);
        steps.Children.Insert(index, new YamlMappingNode { { "use", pluginId } });
        SetDraft(root);
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

        var doc = WithSource(source => WorkflowDocument.Load(source, Sets, []));
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
        _saved = State;
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

    /// <summary>Index in <see cref="Steps"/> of the first step after the input.</summary>
    private int FirstStep => Steps.Count > 0 && Steps[0].PathPrefix == "input.with" ? 1 : 0;

    private bool EditSteps(int step, Func<YamlSequenceNode, bool> edit)
    {
        if (step < FirstStep || step >= Steps.Count)
        {
            return false;
        }

        var root = DraftRoot();
        if (!root.Children.TryGetValue(new YamlScalarNode("steps"), out var node) || node is not YamlSequenceNode steps || !edit(steps))
        {
            return false;
        }

        // Overrides address steps by id; a removed or renumbered step's edits would no longer apply.
        var gone = Steps[step].PathPrefix;
        foreach (var key in _edits.Keys.Where(k => k.StartsWith(gone + ".", StringComparison.Ordinal) && !steps.Children.OfType<YamlMappingNode>().Any(m => gone == $"steps.{StepId(m)}.with")).ToList())
        {
            _edits.Remove(key);
        }

        SetDraft(root);
        return true;
    }

    private static string StepId(YamlMappingNode step) =>
        (step.Children.TryGetValue(new YamlScalarNode("id"), out var id) ? (id as YamlScalarNode)?.Value : null)
        ?? (step.Children.TryGetValue(new YamlScalarNode("use"), out var use) ? (use as YamlScalarNode)?.Value : null) ?? "";

    private YamlMappingNode DraftRoot()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(_draft ?? System.IO.File.ReadAllText(File)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private void SetDraft(YamlMappingNode root)
    {
        using var text = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        _draft = text.ToString();
        Revalidate();
    }

    /// <summary>Runs <paramref name="action"/> on the workflow file, or on the draft written to a hidden file beside it (so relative paths resolve alike) and removed after.</summary>
    private T WithSource<T>(Func<string, T> action)
    {
        if (_draft is null)
        {
            return action(File);
        }

        var temp = Path.Combine(Path.GetDirectoryName(File)!, $".{Path.GetFileNameWithoutExtension(File)}.{Guid.NewGuid():N}.draft.yaml");
        try
        {
            System.IO.File.WriteAllText(temp, _draft);
            return action(temp);
        }
        finally
        {
            System.IO.File.Delete(temp);
        }
    }

    /// <summary>Validates the workflow with the edits again (fresh plugin instances for a new run).</summary>
    public void Revalidate()
    {
        var (info, steps) = WithSource(source =>
        {
            var described = _session.Describe(source, Sets);
            if (source != File)
            {
                described = described with { Problems = described.Problems.Select(p => p with { Where = p.Where.Replace(source, File + " (draft)", StringComparison.Ordinal) }).ToList() };
            }

            var list = new List<EditorStep>();
            try
            {
                var doc = WorkflowDocument.Load(source, [], []);
                if (doc.Input is { } input)
                {
                    list.Add(new EditorStep($"input ({input.Plugin.Use ?? "detected"})", "input.with", input.Plugin.Use ?? described.Plan?.Input.Descriptor.Id, input.Plugin.With as YamlMappingNode));
                }

                foreach (var s in doc.Steps)
                {
                    list.Add(new EditorStep(s.Id == s.Plugin.Use ? s.Id : $"{s.Id} ({s.Plugin.Use})", $"steps.{s.Id}.with", s.Plugin.Use, s.Plugin.With as YamlMappingNode));
                }
            }
            catch (WorkflowValidationException)
            {
                // The file itself does not parse: Info.Problems says why, and there is nothing to edit.
            }

            return (described, list);
        });
        Info = _draft is null ? info : info with { File = File };
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
