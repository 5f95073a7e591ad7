using Cxdi.Host.Options;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Workflows;

/// <summary>
/// Applies one <c>--set path.to.key=value</c> to a workflow's YAML tree: <c>input.path=/x.edf</c>,
/// <c>steps.phase.with.runs=3</c> (a step by its id, its plugin id or its index), <c>output.directory=out2</c>.
/// The value is parsed as YAML (<c>3</c>, <c>[1, 2]</c>, <c>text</c>). A path that matches nothing is a problem.
/// </summary>
public static class SetOverride
{
    /// <summary>Applies <paramref name="assignment"/> to <paramref name="root"/>, recording the new node's origin in <paramref name="map"/>.</summary>
    public static void Apply(YamlMappingNode root, string assignment, SourceMap map, List<Problem> problems)
    {
        var origin = $"--set {assignment}";
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            problems.Add(new Problem(origin, "expected --set path.to.key=value, e.g. --set steps.phase.with.runs=3"));
            return;
        }

        var segments = assignment[..eq].Trim().Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            problems.Add(new Problem(origin, "empty segment in the key path"));
            return;
        }

        if (!WorkflowDocument.TopLevelKeys.Contains(segments[0]))
        {
            problems.Add(new Problem(origin, $"'{segments[0]}' matches nothing{Naming.Suggest(segments[0], WorkflowDocument.TopLevelKeys)} (top-level keys: {string.Join(", ", WorkflowDocument.TopLevelKeys)})"));
            return;
        }

        var value = OptionsBinder.ParseValue(assignment[(eq + 1)..]);
        map.MarkOrigin(value, origin);
        YamlNode current = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            var done = string.Join('.', segments[..(i + 1)]);
            switch (current)
            {
                case YamlMappingNode mapping:
                    var key = new YamlScalarNode(segment);
                    if (last)
                    {
                        // The key takes the --set origin too: a problem found at the key (an unknown option, a range) names the --set argument.
                        map.MarkOrigin(mapping.Children.Keys.FirstOrDefault(k => k.Equals(key)) ?? key, origin);
                        map.MarkOrigin(key, origin);
                        mapping.Children[key] = value;
                        return;
                    }

                    if (!mapping.Children.TryGetValue(key, out var next) || next is YamlScalarNode { Value: null or "" or "~" or "null" })
                    {
                        if (segments[0] == "steps" && i == 0)
                        {
                            problems.Add(new Problem(origin, "the workflow has no steps"));
                            return;
                        }

                        next = new YamlMappingNode();
                        map.MarkOrigin(next, origin);
                        mapping.Children[key] = next;
                    }

                    current = next;
                    break;
                case YamlSequenceNode sequence:
                    YamlNode? match = null;
                    var error = "";
                    for (var take = segments.Length - i; take >= 1 && match is null; take--)
                    {
                        var candidate = FindItem(sequence, string.Join('.', segments[i..(i + take)]), out var e);
                        if (candidate is not null)
                        {
                            match = candidate;
                            i += take - 1;
                            last = i == segments.Length - 1;
                        }
                        else if (take == 1 || e.Contains("entries use", StringComparison.Ordinal))
                        {
                            error = error.Contains("entries use", StringComparison.Ordinal) ? error : e;
                        }
                    }

                    if (match is null)
                    {
                        problems.Add(new Problem(origin, $"'{done}' matches nothing: {error}"));
                        return;
                    }

                    if (last)
                    {
                        sequence.Children[sequence.Children.IndexOf(match)] = value;
                        return;
                    }

                    if (match is YamlScalarNode shortForm)
                    {
                        // "writers: [cxdi.png]" written short: expand to { use: cxdi.png } so its options can be set.
                        var expanded = new YamlMappingNode { { new YamlScalarNode("use"), shortForm } };
                        sequence.Children[sequence.Children.IndexOf(match)] = expanded;
                        match = expanded;
                    }

                    current = match;
                    break;
                default:
                    problems.Add(new Problem(origin, $"'{string.Join('.', segments[..i])}' is a single value, so '{done}' matches nothing"));
                    return;
            }
        }
    }

    private static YamlNode? FindItem(YamlSequenceNode sequence, string segment, out string error)
    {
        error = "";
        if (int.TryParse(segment, out var index))
        {
            if (index >= 0 && index < sequence.Children.Count)
            {
                return sequence.Children[index];
            }

            error = $"index {index} is out of range (0…{sequence.Children.Count - 1})";
            return null;
        }

        YamlNode? byId = null;
        var byUse = new List<YamlNode>();
        var names = new List<string>();
        foreach (var item in sequence.Children)
        {
            string? id = null;
            string? use = null;
            if (item is YamlMappingNode m)
            {
                id = (m.Children.TryGetValue(new YamlScalarNode("id"), out var idNode) ? idNode as YamlScalarNode : null)?.Value;
                use = (m.Children.TryGetValue(new YamlScalarNode("use"), out var useNode) ? useNode as YamlScalarNode : null)?.Value;
            }
            else if (item is YamlScalarNode s)
            {
                use = s.Value;
            }

            if (id == segment)
            {
                byId ??= item;
            }

            if (use == segment)
            {
                byUse.Add(item);
            }

            names.AddRange(new[] { id, use }.OfType<string>());
        }

        if (byId is not null)
        {
            return byId;
        }

        if (byUse.Count == 1)
        {
            return byUse[0];
        }

        error = byUse.Count > 1
            ? $"{byUse.Count} entries use '{segment}'; give them ids or use an index"
            : $"no entry with id or plugin '{segment}'{Naming.Suggest(segment, names)}";
        return null;
    }
}
