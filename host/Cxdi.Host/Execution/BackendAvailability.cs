using Cxdi.Host.Plugins;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Host.Execution;

/// <summary>
/// Whether a named compute backend can run here, asked of its provider before anything runs, so that a workflow or a
/// command naming a backend this machine cannot run (no GPU, no library) is refused at validation with the provider's reason.
/// </summary>
public static class BackendAvailability
{
    /// <summary>Null when <paramref name="wanted"/> names no loaded backend or one that is available; otherwise why it is not available here, in one line.</summary>
    public static string? Unavailable(PluginCatalog catalog, string wanted)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (PluginResolver.MatchBackend(catalog.OfRole(PluginRole.Backend), wanted.Trim().ToLowerInvariant()) is not { } match)
        {
            return null;
        }

        return Reason(match);
    }

    /// <summary>Null when the backend <paramref name="descriptor"/> describes is available here, else its reason (one line).</summary>
    public static string? Reason(PluginDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var provider = (IComputeBackendProvider)PluginCatalog.Create(descriptor);
        string reason = "";
        if (PluginGuard.Call(descriptor.Id, () => provider.IsAvailable(out reason)))
        {
            return null;
        }

        return $"compute backend {descriptor.Id} is not available here: {reason.ReplaceLineEndings(" ")}";
    }

    /// <summary>The value of a step option called <c>backend</c> (a string property <c>Backend</c> of the options record), or null.</summary>
    public static string? RequestedIn(PluginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.GetType().GetProperty("Backend")?.GetValue(options) is string { Length: > 0 } value ? value : null;
    }
}
