using Cxdi.Sdk.Plugins;

namespace Cxdi.Host.Plugins;

/// <summary>One loaded plugin implementation: what <c>cxdi plugins</c> lists and what workflows refer to by id.</summary>
/// <param name="Id">Stable dotted id.</param>
/// <param name="Version">Implementation version.</param>
/// <param name="Role">Role, from the implemented role interface.</param>
/// <param name="OptionsType">The options record its <c>with:</c> block binds to.</param>
/// <param name="Description">One sentence.</param>
/// <param name="Folder">The plugin folder it was loaded from.</param>
/// <param name="AssemblyFile">The assembly that defines it.</param>
/// <param name="ImplementationType">The CLR type (never persisted; workflows use <paramref name="Id"/>).</param>
/// <param name="Services">The plugin folder's own service provider, which creates instances.</param>
public sealed record PluginDescriptor(
    string Id,
    string Version,
    PluginRole Role,
    Type OptionsType,
    string Description,
    string Folder,
    string AssemblyFile,
    Type ImplementationType,
    IServiceProvider Services)
{
    /// <summary>Role name as shown to users: <c>reader</c>, <c>support-finder</c>…</summary>
    public string RoleName => Naming.ToKebabCase(Naming.ToSnakeCase(Role.ToString()));
}
