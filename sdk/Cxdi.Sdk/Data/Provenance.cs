namespace Cxdi.Sdk.Data;

/// <summary>A file that contributed to a data item, with its SHA-256 so a result can be tied to its inputs.</summary>
/// <param name="Path">Absolute path as read.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the whole file.</param>
public sealed record SourceFile(string Path, string Sha256);

/// <summary>One applied step: the plugin id and version and its resolved options (key → value as written in YAML).</summary>
/// <param name="PluginId">Stable dotted plugin id.</param>
/// <param name="Version">Plugin version.</param>
/// <param name="Options">Resolved options, defaults included.</param>
public sealed record AppliedStep(string PluginId, string Version, IReadOnlyDictionary<string, object?> Options);

/// <summary>Where a data item came from: source files and every step applied, in order. Immutable; <c>With*</c> returns a copy.</summary>
public sealed record Provenance
{
    /// <summary>Input files with their hashes.</summary>
    public IReadOnlyList<SourceFile> Sources { get; init; } = [];

    /// <summary>Steps applied, first to last.</summary>
    public IReadOnlyList<AppliedStep> Steps { get; init; } = [];

    /// <summary>The empty provenance.</summary>
    public static Provenance Empty { get; } = new();

    /// <summary>A copy with one more source file.</summary>
    public Provenance WithSource(SourceFile source) => this with { Sources = [.. Sources, source] };

    /// <summary>A copy with one more applied step.</summary>
    public Provenance WithStep(AppliedStep step) => this with { Steps = [.. Steps, step] };
}
