using System.Reflection;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Host;

/// <summary>Versions of the workbench and of the SDK it was built with.</summary>
public static class Versions
{
    /// <summary>Workbench (host) version.</summary>
    public static string Software { get; } = Informational(typeof(Versions).Assembly);

    /// <summary>SDK version.</summary>
    public static string Sdk { get; } = Informational(typeof(ICxdiPluginModule).Assembly);

    private static string Informational(Assembly assembly)
    {
        var text = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? text[..plus] : text;
    }
}
