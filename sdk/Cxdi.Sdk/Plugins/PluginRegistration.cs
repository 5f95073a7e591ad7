using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cxdi.Sdk.Plugins;

/// <summary>One implementation a plugin module registered; the host reads its id, version and role from the type.</summary>
/// <param name="ImplementationType">A class marked with <see cref="CxdiPluginAttribute"/> that implements one role interface.</param>
public sealed record PluginRegistration(Type ImplementationType)
{
    /// <summary>The type's <see cref="CxdiPluginAttribute"/>, or null when it has none.</summary>
    public CxdiPluginAttribute? Attribute => ImplementationType.GetCustomAttribute<CxdiPluginAttribute>();
}

/// <summary>Registration helpers for plugin modules.</summary>
public static class PluginServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="T"/> as a plugin implementation (transient) so the host can list it and create it by id.</summary>
    public static IServiceCollection AddCxdiPlugin<T>(this IServiceCollection services)
        where T : class, IPlugin
    {
        services.AddSingleton(new PluginRegistration(typeof(T)));
        services.TryAddTransient<T>();
        return services;
    }
}
