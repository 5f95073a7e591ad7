using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Cxdi.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Sdk.Phasing;

/// <summary>Marks a public settable property of a <see cref="PhasingOperator"/> as a parameter of the operator string (<c>HIO(beta=0.7)</c>); the name is the property name in snake_case.</summary>
/// <param name="description">What the parameter does, its unit and typical values.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OperatorParameterAttribute(string description) : Attribute
{
    /// <summary>What the parameter does.</summary>
    public string Description { get; } = description;
}

/// <summary>A phasing operator a plugin registered under <paramref name="Name"/> (see <see cref="PhasingServiceCollectionExtensions.AddPhasingOperator{T}"/>).</summary>
/// <param name="Name">The name in operator strings, e.g. <c>HIO</c> or <c>ASR</c> (letters, digits, underscores; case-insensitive).</param>
/// <param name="OperatorType">A public non-abstract <see cref="PhasingOperator"/> with a public parameterless constructor.</param>
public sealed record OperatorRegistration(string Name, Type OperatorType);

/// <summary>One parameter of a registered operator.</summary>
/// <param name="Name">Name in operator strings (snake_case).</param>
/// <param name="Type">bool, int, float or double.</param>
/// <param name="Description">What it does.</param>
/// <param name="Default">The value a new instance has.</param>
/// <param name="Minimum">Smallest allowed value (from a <see cref="RangeAttribute"/>), or null.</param>
/// <param name="Maximum">Largest allowed value (from a <see cref="RangeAttribute"/>), or null.</param>
public sealed record OperatorParameterInfo(string Name, Type Type, string Description, object? Default, double? Minimum, double? Maximum)
{
    internal PropertyInfo Property { get; init; } = null!;
}

/// <summary>A registered operator: its name, description (the class's <see cref="DescriptionAttribute"/>), type and parameters.</summary>
public sealed record OperatorInfo(string Name, string Description, Type OperatorType, IReadOnlyList<OperatorParameterInfo> Parameters)
{
    /// <summary>Cycles one instance runs (1 for a projection cycle, 0 for a support update).</summary>
    public int Cycles { get; init; }
}

/// <summary>Registration helpers for phasing operators.</summary>
public static class PhasingServiceCollectionExtensions
{
    /// <summary>Registers operator <typeparamref name="T"/> under <paramref name="name"/> so workflows can use it in operator strings; the host gathers the operators of every plugin into one <see cref="OperatorRegistry"/>.</summary>
    public static IServiceCollection AddPhasingOperator<T>(this IServiceCollection services, string name)
        where T : PhasingOperator, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        OperatorRegistry.CheckName(name);
        services.AddSingleton(new OperatorRegistration(name, typeof(T)));
        return services;
    }
}

/// <summary>
/// Maps operator names (case-insensitive) to operator classes and their parameters, and parses operator strings
/// (<see cref="Parse"/>). The host builds one from the registrations of every plugin; a phaser used outside a host builds
/// one from its own module with <see cref="FromModules"/>.
/// </summary>
public sealed class OperatorRegistry
{
    private readonly Dictionary<string, OperatorInfo> byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<OperatorInfo> ordered = [];

    /// <summary>Builds the registry; throws <see cref="ArgumentException"/> when a name is invalid or registered twice, or a type is unusable.</summary>
    public OperatorRegistry(IEnumerable<OperatorRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var registration in registrations)
        {
            CheckName(registration.Name);
            var info = Describe(registration);
            if (!byName.TryAdd(registration.Name, info))
            {
                throw new ArgumentException($"phasing operator '{registration.Name}' is registered twice ({byName[registration.Name].OperatorType.FullName} and {registration.OperatorType.FullName})");
            }

            ordered.Add(info);
        }
    }

    /// <summary>Every registered operator, in registration order.</summary>
    public IReadOnlyList<OperatorInfo> Operators => ordered;

    /// <summary>The operator registered as <paramref name="name"/> (case-insensitive), or null.</summary>
    public OperatorInfo? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>The operators registered by the <see cref="ICxdiPluginModule.Configure"/> of <paramref name="modules"/>.</summary>
    public static OperatorRegistry FromModules(params ICxdiPluginModule[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var services = new ServiceCollection();
        foreach (var module in modules)
        {
            module.Configure(services);
        }

        return new OperatorRegistry(FromServices(services));
    }

    /// <summary>The operator registrations in a plugin's service collection.</summary>
    public static IEnumerable<OperatorRegistration> FromServices(IServiceCollection services) =>
        services.Where(d => d.ServiceType == typeof(OperatorRegistration) && d.ImplementationInstance is OperatorRegistration)
            .Select(d => (OperatorRegistration)d.ImplementationInstance!);

    /// <summary>
    /// Parses an operator string such as <c>"ER**100 * (Sup * ER**5 * HIO(beta=0.7)**40)**20"</c> into a program; throws
    /// <see cref="Errors.OperatorSyntaxException"/> with the position and what was expected there.
    /// </summary>
    /// <param name="text">The operator string.</param>
    /// <param name="defaults">Parameter values used where the string gives none, keyed <c>OPERATOR.parameter</c> (e.g. <c>HIO.beta</c>); may be null.</param>
    /// <param name="option">Name of the option holding the string, for messages.</param>
    public PhasingOperator Parse(string text, IReadOnlyDictionary<string, object>? defaults = null, string option = "operators") =>
        OperatorParser.Parse(text, this, defaults, option);

    /// <summary>A new instance of <paramref name="info"/> with <paramref name="values"/> (parameter name → value) set.</summary>
    public static PhasingOperator Create(OperatorInfo info, IReadOnlyDictionary<string, object> values)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(values);
        var op = (PhasingOperator)Activator.CreateInstance(info.OperatorType)!;
        op.Name = info.Name;
        foreach (var (name, value) in values)
        {
            var parameter = info.Parameters.FirstOrDefault(p => p.Name == name)
                ?? throw new ArgumentException($"{info.Name} has no parameter '{name}'", nameof(values));
            parameter.Property.SetValue(op, Convert.ChangeType(value, parameter.Type, CultureInfo.InvariantCulture));
        }

        return op;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a letter followed by letters, digits or underscores.</summary>
    internal static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{name}' is not a valid operator name: a letter followed by letters, digits or underscores", nameof(name));
        }
    }

    /// <summary>snake_case of a property name (Beta → beta, SigmaEnd → sigma_end).</summary>
    internal static string SnakeCase(string name)
    {
        var b = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                b.Append('_');
            }

            b.Append(char.ToLowerInvariant(name[i]));
        }

        return b.ToString();
    }

    private static OperatorInfo Describe(OperatorRegistration registration)
    {
        var type = registration.OperatorType;
        if (!typeof(PhasingOperator).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"operator '{registration.Name}': {type.FullName} is not a non-abstract PhasingOperator with a public parameterless constructor");
        }

        var sample = (PhasingOperator)Activator.CreateInstance(type)!;
        var parameters = new List<OperatorParameterInfo>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            if (property.GetCustomAttribute<OperatorParameterAttribute>() is not { } attribute)
            {
                continue;
            }

            if (property.SetMethod is not { IsPublic: true } || property.PropertyType is not { } t || (t != typeof(bool) && t != typeof(int) && t != typeof(float) && t != typeof(double)))
            {
                throw new ArgumentException($"operator '{registration.Name}': parameter {property.Name} must be a public settable bool, int, float or double");
            }

            var range = property.GetCustomAttribute<RangeAttribute>();
            parameters.Add(new OperatorParameterInfo(
                SnakeCase(property.Name),
                property.PropertyType,
                attribute.Description,
                property.GetValue(sample),
                range is null ? null : Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture),
                range is null ? null : Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture))
            {
                Property = property,
            });
        }

        return new OperatorInfo(registration.Name, type.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "", type, parameters)
        {
            Cycles = sample.Cycles,
        };
    }
}
