using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Workflows;

/// <summary>One problem found while validating: where (<c>file:line:col</c>, or <c>--set key=value</c>) and what.</summary>
/// <param name="Where">The location prefix.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record Problem(string Where, string Message)
{
    /// <summary><c>file:line:col: message</c>, or the message alone when there is no location.</summary>
    public override string ToString() => Where.Length == 0 ? Message : $"{Where}: {Message}";
}

/// <summary>Maps YAML nodes back to where they came from: a line and column of the workflow file, or a <c>--set</c> argument.</summary>
/// <param name="file">The workflow file as shown in messages (or the sub-command for command-line options).</param>
/// <param name="commandLine">True when every value comes from the command line (a CLI tool's options): a node with no recorded origin has no location, rather than <c>file:1:1</c>.</param>
public sealed class SourceMap(string file, bool commandLine = false)
{
    private readonly Dictionary<YamlNode, string> _origins = new(ReferenceEqualityComparer.Instance);

    /// <summary>The workflow file as shown in messages.</summary>
    public string File { get; } = file;

    /// <summary>Records that <paramref name="node"/> (and everything under it) came from <paramref name="origin"/>, e.g. <c>--set input.path=x</c>.</summary>
    public void MarkOrigin(YamlNode node, string origin)
    {
        _origins[node] = origin;
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    MarkOrigin(k, origin);
                    MarkOrigin(v, origin);
                }

                break;
            case YamlSequenceNode seq:
                foreach (var child in seq.Children)
                {
                    MarkOrigin(child, origin);
                }

                break;
        }
    }

    /// <summary>True when the node was given on the command line (its relative paths are relative to the current directory).</summary>
    public bool IsFromCommandLine(YamlNode? node) => node is not null && _origins.ContainsKey(node);

    /// <summary>Where <paramref name="node"/> is, falling back to <paramref name="fallback"/> and then to the start of the file.</summary>
    public string Where(YamlNode? node, YamlNode? fallback = null)
    {
        foreach (var n in new[] { node, fallback })
        {
            if (n is null)
            {
                continue;
            }

            if (_origins.TryGetValue(n, out var origin))
            {
                return origin;
            }

            if (!commandLine && n.Start.Line > 0)
            {
                return At(n.Start);
            }
        }

        return commandLine ? "" : $"{File}:1:1";
    }

    /// <summary><c>file:line:col</c> for a mark.</summary>
    public string At(Mark mark) => $"{File}:{mark.Line}:{mark.Column}";

    /// <summary>A problem at <paramref name="node"/>.</summary>
    public Problem Problem(YamlNode? node, string message, YamlNode? fallback = null) => new(Where(node, fallback), message);
}
