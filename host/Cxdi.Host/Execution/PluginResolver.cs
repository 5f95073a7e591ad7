using Cxdi.Host.Options;
using Cxdi.Host.Plugins;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Host.Execution;

/// <summary>Gives plugins access to other plugins by id and to compute backends, with the host's strict options binder.</summary>
/// <param name="catalog">The loaded plugins.</param>
/// <param name="requestedBackend"><c>--backend</c> or <c>CXDI_BACKEND</c>, or null.</param>
public sealed class PluginResolver(PluginCatalog catalog, string? requestedBackend) : IPluginResolver
{
    /// <inheritdoc />
    public (T Plugin, PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
        where T : class, IPlugin
    {
        var all = catalog.FindAll(id);
        if (all.Count == 0)
        {
            throw new PluginNotFoundException(id, $"plugin '{id}' is not loaded{Naming.Suggest(id, catalog.Plugins.Select(p => p.Id))}{catalog.FailureNote}", "'cxdi plugins' lists the loaded ones");
        }

        var descriptor = all.FirstOrDefault(p => typeof(T).IsAssignableFrom(p.ImplementationType))
            ?? throw new PluginNotFoundException(id, $"plugin '{id}' is a {all[0].RoleName}, not a {typeof(T).Name}");
        var plugin = (T)PluginCatalog.Create(descriptor);
        var problems = new List<Problem>();
        var map = new SourceMap($"options of {id}");
        var bound = OptionsBinder.Bind(id, descriptor.OptionsType, options is null ? null : OptionsBinder.ToNode(options), null, map, problems, catalog.OptionsContext);
        if (bound is null)
        {
            throw new WorkflowValidationException(problems.Select(p => p with { Where = $"options of {id}" }).ToList());
        }

        return (plugin, bound.Options);
    }

    /// <inheritdoc />
    public OperatorRegistry Operators => catalog.Operators;

    /// <inheritdoc />
    public IComputeBackend CreateBackend(string? id = null)
    {
        var providers = catalog.OfRole(PluginRole.Backend).ToList();
        if (providers.Count == 0)
        {
            throw new BackendUnavailableException("no compute backend plugin is loaded", "install the phasing plugins (plugins/ beside cxdi) or add a folder with --plugins");
        }

        var wanted = id ?? requestedBackend;
        if (wanted is { Length: > 0 })
        {
            var match = MatchBackend(providers, wanted)
                ?? throw new BackendUnavailableException($"unknown compute backend '{wanted}'{Naming.Suggest(wanted, providers.Select(p => p.Id))}{catalog.FailureNote}", $"available: {string.Join(", ", providers.Select(p => p.Id))}");
            var provider = (IComputeBackendProvider)PluginCatalog.Create(match);
            string reason = "";
            if (!PluginGuard.Call(match.Id, () => provider.IsAvailable(out reason)))
            {
                throw new BackendUnavailableException($"compute backend {match.Id} is not available here: {reason}", "choose another with --backend or CXDI_BACKEND");
            }

            return CreateWith(match, provider);
        }

        var candidates = new List<(PluginDescriptor Descriptor, IComputeBackendProvider Provider, int Priority)>();
        var reasons = new List<string>();
        foreach (var descriptor in providers)
        {
            var provider = (IComputeBackendProvider)PluginCatalog.Create(descriptor);
            string reason = "";
            if (PluginGuard.Call(descriptor.Id, () => provider.IsAvailable(out reason)))
            {
                candidates.Add((descriptor, provider, PluginGuard.Call(descriptor.Id, () => provider.Priority)));
            }
            else
            {
                reasons.Add($"{descriptor.Id}: {reason}");
            }
        }

        if (candidates.Count == 0)
        {
            throw new BackendUnavailableException($"no compute backend is available ({string.Join("; ", reasons)})");
        }

        var best = candidates.OrderByDescending(c => c.Priority).First();
        return CreateWith(best.Descriptor, best.Provider);
    }

    /// <summary>The backend provider <paramref name="wanted"/> names: its full id, else the id ending in <c>.wanted</c> (<c>cpu</c> for <c>cxdi.cpu</c>); null when none.</summary>
    public static PluginDescriptor? MatchBackend(IEnumerable<PluginDescriptor> providers, string wanted)
    {
        var list = providers.ToList();
        return list.FirstOrDefault(p => p.Id == wanted) ?? list.FirstOrDefault(p => p.Id.EndsWith("." + wanted, StringComparison.Ordinal));
    }

    private static IComputeBackend CreateWith(PluginDescriptor descriptor, IComputeBackendProvider provider)
    {
        var options = (PluginOptions)Activator.CreateInstance(descriptor.OptionsType)!;
        return PluginGuard.Call(descriptor.Id, () => provider.Create(options))
            ?? throw new PluginFaultException(descriptor.Id, "created no backend");
    }
}
