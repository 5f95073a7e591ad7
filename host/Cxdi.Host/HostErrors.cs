using Cxdi.Sdk.Errors;

namespace Cxdi.Host;

/// <summary>A plugin folder could not be used: it fails to load, was built against another SDK major version, or claims an id that another folder already provides.</summary>
public sealed class PluginLoadException(string message, string? hint = null, Exception? inner = null) : CxdiException(message, hint, inner)
{
}

/// <summary>A workflow (or a set of options) has problems; each is one line <c>file:line:col: message</c>.</summary>
public sealed class WorkflowValidationException(IReadOnlyList<Workflows.Problem> problems)
    : CxdiException(problems.Count == 0 ? "the workflow is invalid" : string.Join("; ", problems.Select(p => p.ToString())))
{
    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<Workflows.Problem> Problems { get; } = problems;
}

/// <summary>A plugin broke its contract (returned null, a wrong shape, NaN intensities) or threw something that is not a <see cref="CxdiException"/>: a bug in that plugin.</summary>
public sealed class PluginFaultException(string pluginId, string message, Exception? inner = null)
    : CxdiException($"internal error in plugin {pluginId}: {message}", null, inner)
{
    /// <summary>The plugin at fault.</summary>
    public string PluginId { get; } = pluginId;

    /// <inheritdoc />
    public override bool IsInputError => false;
}

/// <summary>A usage error on the command line (bad value, missing file) reported as <c>cxdi: error: …</c>.</summary>
public sealed class UsageException(string message, string? hint = null) : CxdiException(message, hint)
{
}

/// <summary>No compute backend can be created: none loaded, the requested one is unknown, or it is not available here.</summary>
public sealed class BackendUnavailableException(string message, string? hint = null) : CxdiException(message, hint)
{
    /// <inheritdoc />
    public override bool IsInputError => false;
}
