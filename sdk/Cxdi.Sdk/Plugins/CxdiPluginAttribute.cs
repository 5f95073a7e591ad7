namespace Cxdi.Sdk.Plugins;

/// <summary>Marks a plugin implementation with its stable dotted id (e.g. <c>cxdi.hio</c>, <c>esrf.edf</c>) and version; workflows refer to the id, never to the CLR type.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CxdiPluginAttribute : Attribute
{
    /// <summary>Declares a plugin.</summary>
    /// <param name="id">Stable dotted id: lower-case words separated by dots or dashes, at least two parts.</param>
    /// <param name="version">Semantic version of the implementation.</param>
    public CxdiPluginAttribute(string id, string version)
    {
        Id = id;
        Version = version;
    }

    /// <summary>Stable dotted id.</summary>
    public string Id { get; }

    /// <summary>Semantic version.</summary>
    public string Version { get; }

    /// <summary>One sentence shown by <c>cxdi plugins</c>.</summary>
    public string Description { get; init; } = "";
}
