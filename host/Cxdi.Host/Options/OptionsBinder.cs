using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Plugins;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Options;

/// <summary>One bindable option of a plugin: its YAML key, property, type, help text, unit and default.</summary>
/// <param name="Key">YAML key (snake_case or [OptionName]).</param>
/// <param name="Property">The options property.</param>
/// <param name="Description">The [Description] text, or empty.</param>
/// <param name="Unit">The [Unit] symbol, or null.</param>
/// <param name="Default">The default value (from a fresh options instance), in YAML form.</param>
public sealed record OptionSpec(string Key, PropertyInfo Property, string Description, string? Unit, object? Default)
{
    /// <summary>A short name of the expected type: <c>integer</c>, <c>number</c>, <c>one of a|b</c>, <c>list of integer</c>…</summary>
    public string TypeName => OptionsBinder.TypeName(Property.PropertyType);
}

/// <summary>Options bound from YAML: the typed record and its resolved key → value map (defaults included).</summary>
/// <param name="Options">The options instance.</param>
/// <param name="Resolved">Every key with its value in YAML form (enums as snake_case names, lists as lists).</param>
public sealed record BoundOptions(PluginOptions Options, IReadOnlyDictionary<string, object?> Resolved);

/// <summary>
/// Strict binder from a step's <c>with:</c> mapping to a plugin's options record: snake_case keys, unknown keys are errors
/// listing the valid ones, wrong types, DataAnnotations and <see cref="PluginOptions.Validate"/> problems, each at its line.
/// </summary>
public static class OptionsBinder
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The bindable options of <paramref name="optionsType"/>, in declaration order.</summary>
    public static IReadOnlyList<OptionSpec> Describe(Type optionsType, bool withDefaults = true)
    {
        object? defaults = withDefaults ? Activator.CreateInstance(optionsType) : null;
        return Properties(optionsType)
            .Select(p => new OptionSpec(
                KeyOf(p),
                p,
                p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "",
                p.GetCustomAttribute<UnitAttribute>()?.Unit,
                defaults is null ? null : ToYamlValue(p.GetValue(defaults))))
            .ToList();
    }

    /// <summary>
    /// Binds <paramref name="with"/> (null: all defaults) to a new <paramref name="optionsType"/>; adds every problem to
    /// <paramref name="problems"/> located through <paramref name="map"/> (fallback: <paramref name="owner"/>). Returns null when any problem was found.
    /// </summary>
    public static BoundOptions? Bind(string pluginId, Type optionsType, YamlNode? with, YamlNode? owner, SourceMap map, List<Problem> problems, OptionsContext? context = null)
    {
        var before = problems.Count;
        PluginOptions options;
        try
        {
            options = (PluginOptions)Activator.CreateInstance(optionsType)!;
        }
        catch (Exception e)
        {
            problems.Add(map.Problem(with, $"internal error in plugin {pluginId}: its options cannot be created: {(e as TargetInvocationException)?.InnerException?.Message ?? e.Message}", owner));
            return null;
        }

        var specs = Describe(optionsType, withDefaults: false);
        var byKey = specs.ToDictionary(s => s.Key, StringComparer.Ordinal);
        var keyNodes = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var failedKeys = new HashSet<string>(StringComparer.Ordinal);
        switch (with)
        {
            case null:
                break;
            case YamlScalarNode s when IsNull(s):
                break;
            case YamlMappingNode mapping:
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = (keyNode as YamlScalarNode)?.Value ?? "";
                    if (!byKey.TryGetValue(key, out var spec))
                    {
                        var valid = specs.Count == 0 ? "it takes no options" : "valid: " + string.Join(", ", specs.Select(s => s.Key));
                        problems.Add(map.Problem(keyNode, $"unknown option '{key}' for {pluginId}{Naming.Suggest(key, specs.Select(s => s.Key))} ({valid})", owner));
                        continue;
                    }

                    if (!keyNodes.TryAdd(key, keyNode))
                    {
                        problems.Add(map.Problem(keyNode, $"option '{key}' is given twice", owner));
                        continue;
                    }

                    if (TryConvert(valueNode, spec.Property.PropertyType, IsNullable(spec.Property), out var value, out var error))
                    {
                        try
                        {
                            spec.Property.SetValue(options, value);
                        }
                        catch (Exception e)
                        {
                            problems.Add(map.Problem(valueNode, $"option '{key}' of {pluginId}: {(e as TargetInvocationException)?.InnerException?.Message ?? e.Message}", owner));
                        }
                    }
                    else
                    {
                        failedKeys.Add(key);
                        problems.Add(map.Problem(valueNode, $"option '{key}' of {pluginId} {error}", owner));
                    }
                }

                break;
            default:
                problems.Add(map.Problem(with, $"'with' of {pluginId} must be a mapping of option: value", owner));
                break;
        }

        var bindingFailed = problems.Count > before;

        YamlNode? NodeOf(string propertyName)
        {
            var spec = specs.FirstOrDefault(s => s.Property.Name == propertyName);
            return spec is not null && keyNodes.TryGetValue(spec.Key, out var n) ? n : with;
        }

        string KeyOfProperty(string propertyName) => specs.FirstOrDefault(s => s.Property.Name == propertyName)?.Key ?? propertyName;

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var member = result.MemberNames.FirstOrDefault() ?? "";
            var key = KeyOfProperty(member);
            if (failedKeys.Contains(key))
            {
                continue;
            }

            var message = (result.ErrorMessage ?? "is invalid").Replace("The field " + member, key, StringComparison.Ordinal).Replace(member, key, StringComparison.Ordinal);
            problems.Add(map.Problem(NodeOf(member), $"option '{key}' of {pluginId}: {message}", owner));
        }

        if (results.Count == 0 && !bindingFailed)
        {
            try
            {
                foreach (var problem in options.Validate(context ?? OptionsContext.None))
                {
                    problems.Add(map.Problem(NodeOf(problem.Key), $"option '{KeyOfProperty(problem.Key)}' of {pluginId}: {problem.Message}", owner));
                }
            }
            catch (Exception e)
            {
                problems.Add(map.Problem(with, $"internal error in plugin {pluginId} while validating its options: {e.Message}", owner));
            }
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new BoundOptions(options, Resolve(options));
    }

    /// <summary>Every option of <paramref name="options"/> as key → YAML-form value.</summary>
    public static IReadOnlyDictionary<string, object?> Resolve(PluginOptions options)
    {
        var resolved = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in Properties(options.GetType()))
        {
            resolved[KeyOf(p)] = ToYamlValue(p.GetValue(options));
        }

        return resolved;
    }

    /// <summary>Builds a YAML mapping from plain values (numbers, strings, bools, enums, lists), for options given in code.</summary>
    public static YamlMappingNode ToNode(IReadOnlyDictionary<string, object?> values)
    {
        var mapping = new YamlMappingNode();
        foreach (var (k, v) in values)
        {
            mapping.Add(new YamlScalarNode(k), ValueNode(v));
        }

        return mapping;
    }

    /// <summary>Parses a command-line value as a YAML value (<c>3</c>, <c>[1, 2]</c>, <c>"text"</c>); a value that is not valid YAML is taken as a plain string.</summary>
    public static YamlNode ParseValue(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 1 && stream.Documents[0].RootNode is { } root && root is not YamlMappingNode)
            {
                return root;
            }
        }
        catch (YamlException)
        {
        }

        return new YamlScalarNode(text) { Style = ScalarStyle.SingleQuoted };
    }

    /// <summary>A human name of a property type.</summary>
    public static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return TypeName(underlying) + " or null";
        }

        if (ElementType(type) is { } element)
        {
            return "list of " + TypeName(element);
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join("|", EnumNames(type));
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "true or false",
            TypeCode.Int32 or TypeCode.Int64 => "integer",
            TypeCode.Single or TypeCode.Double => "number",
            TypeCode.String => "text",
            _ => type.Name,
        };
    }

    /// <summary>The YAML key of an options property.</summary>
    public static string KeyOf(PropertyInfo property) => property.GetCustomAttribute<OptionNameAttribute>()?.Name ?? Naming.ToSnakeCase(property.Name);

    /// <summary>Snake_case names of an enum's members.</summary>
    public static IEnumerable<string> EnumNames(Type enumType) => Enum.GetNames(enumType).Select(Naming.ToSnakeCase);

    /// <summary>Converts a bound value to its YAML form: enums → snake_case names, collections → lists.</summary>
    public static object? ToYamlValue(object? value) => value switch
    {
        null => null,
        string s => s,
        Enum e => Naming.ToSnakeCase(e.ToString()),
        IEnumerable list => list.Cast<object?>().Select(ToYamlValue).ToList(),
        _ => value,
    };

    private static IEnumerable<PropertyInfo> Properties(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken);

    private static bool IsNullable(PropertyInfo p)
    {
        if (p.PropertyType.IsValueType)
        {
            return Nullable.GetUnderlyingType(p.PropertyType) is not null;
        }

        return Nullability.Create(p).WriteState != NullabilityState.NotNull;
    }

    private static bool IsNull(YamlScalarNode s) =>
        s.Style == ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType)
        {
            var def = type.GetGenericTypeDefinition();
            if (def == typeof(List<>) || def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(IEnumerable<>)
                || def == typeof(IReadOnlyCollection<>) || def == typeof(ICollection<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static bool TryConvert(YamlNode node, Type type, bool nullable, out object? value, out string error)
    {
        value = null;
        error = "";
        if (node is YamlScalarNode nullNode && IsNull(nullNode))
        {
            if (nullable)
            {
                return true;
            }

            error = $"expects {TypeName(type)}, not null";
            return false;
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (ElementType(underlying) is { } element)
        {
            if (node is not YamlSequenceNode seq)
            {
                error = $"expects a list of {TypeName(element)} such as [a, b], got {Show(node)}";
                return false;
            }

            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            var index = 0;
            foreach (var child in seq.Children)
            {
                if (!TryConvert(child, element, !element.IsValueType || Nullable.GetUnderlyingType(element) is not null, out var item, out var itemError))
                {
                    error = $"item {index}: {itemError}";
                    return false;
                }

                list.Add(item);
                index++;
            }

            if (underlying.IsArray)
            {
                var array = Array.CreateInstance(element, list.Count);
                list.CopyTo(array, 0);
                value = array;
            }
            else
            {
                value = list;
            }

            return true;
        }

        if (node is not YamlScalarNode scalar)
        {
            error = $"expects {TypeName(underlying)}, got {Show(node)}";
            return false;
        }

        var text = scalar.Value ?? "";
        if (underlying.IsEnum)
        {
            foreach (var name in Enum.GetNames(underlying))
            {
                if (string.Equals(Naming.ToSnakeCase(name), text, StringComparison.OrdinalIgnoreCase) || string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                {
                    value = Enum.Parse(underlying, name);
                    return true;
                }
            }

            error = $"expects one of {string.Join(", ", EnumNames(underlying))}, got '{text}'{Naming.Suggest(text, EnumNames(underlying))}";
            return false;
        }

        switch (Type.GetTypeCode(underlying))
        {
            case TypeCode.String:
                value = text;
                return true;
            case TypeCode.Boolean:
                if (text is "true" or "True" or "TRUE")
                {
                    value = true;
                    return true;
                }

                if (text is "false" or "False" or "FALSE")
                {
                    value = false;
                    return true;
                }

                error = $"expects true or false, got '{text}'";
                return false;
            case TypeCode.Int32:
                if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                {
                    value = i;
                    return true;
                }

                error = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                    ? $"expects an integer between {int.MinValue} and {int.MaxValue}, got {text}"
                    : $"expects an integer, got '{text}'";
                return false;
            case TypeCode.Int64:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    value = l;
                    return true;
                }

                error = $"expects an integer, got '{text}'";
                return false;
            case TypeCode.Single:
            case TypeCode.Double:
                if (TryParseNumber(text, out var d))
                {
                    value = underlying == typeof(float) ? (object)(float)d : d;
                    return true;
                }

                error = $"expects a number, got '{text}'";
                return false;
            default:
                error = $"has an unsupported type {underlying.Name} (plugin bug: options support bool, int, long, float, double, string, enums and lists of those)";
                return false;
        }
    }

    private static bool TryParseNumber(string text, out double value)
    {
        switch (text)
        {
            case ".inf" or ".Inf" or "+.inf" or "inf" or "Infinity":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-.Inf" or "-inf" or "-Infinity":
                value = double.NegativeInfinity;
                return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
    }

    private static string Show(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };

    private static YamlNode ValueNode(object? value) => value switch
    {
        null => new YamlScalarNode("null"),
        string s => new YamlScalarNode(s) { Style = ScalarStyle.SingleQuoted },
        bool b => new YamlScalarNode(b ? "true" : "false"),
        Enum e => new YamlScalarNode(Naming.ToSnakeCase(e.ToString())),
        IFormattable f => new YamlScalarNode(f.ToString(null, CultureInfo.InvariantCulture)),
        IEnumerable list => new YamlSequenceNode(list.Cast<object?>().Select(ValueNode)),
        _ => new YamlScalarNode(value.ToString()),
    };
}
